// The one mapping between error kinds (common/errors.ts) and gRPC status
// codes, both ways: the coordinator's services answer with it, the agent's
// coordinator client and hostpilotctl read answers with it. A fault (a
// dependency down, a bug on the other side) is `unavailable`, never
// `internal`: the caller may retry, and nothing internal leaks to it.
import { status, type ServiceError } from '@grpc/grpc-js';
import { HostpilotError, type ErrorKind } from '../errors.js';

export function statusOf(kind: ErrorKind): status {
  switch (kind) {
    case 'invalid_argument':
      return status.INVALID_ARGUMENT;
    case 'not_found':
      return status.NOT_FOUND;
    case 'permission_denied':
      return status.PERMISSION_DENIED;
    case 'unauthenticated':
      return status.UNAUTHENTICATED;
    case 'failed_precondition':
      return status.FAILED_PRECONDITION;
    case 'conflict':
      return status.ABORTED;
    case 'unavailable':
    case 'internal':
      return status.UNAVAILABLE;
    default: {
      const never: never = kind;
      return never;
    }
  }
}

export function kindOf(code: status): ErrorKind {
  switch (code) {
    case status.INVALID_ARGUMENT:
    case status.OUT_OF_RANGE:
      return 'invalid_argument';
    case status.NOT_FOUND:
      return 'not_found';
    case status.PERMISSION_DENIED:
      return 'permission_denied';
    case status.UNAUTHENTICATED:
      return 'unauthenticated';
    case status.FAILED_PRECONDITION:
      return 'failed_precondition';
    case status.ABORTED:
    case status.ALREADY_EXISTS:
      return 'conflict';
    default:
      // UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL, UNKNOWN, ...: the other side or the path to it failed.
      return 'unavailable';
  }
}

/** A thrown error as a gRPC answer: its kind's code and message; anything untyped is a fault. */
export function toServiceError(err: unknown): Partial<ServiceError> {
  if (err instanceof HostpilotError) {
    const code = statusOf(err.kind);
    // An `internal` error's message is about our insides: the caller learns only that it may retry.
    const message = err.kind === 'internal' ? 'temporarily unavailable' : err.message;
    return { code, details: message, message };
  }
  return { code: status.UNAVAILABLE, details: 'temporarily unavailable', message: 'temporarily unavailable' };
}

/**
 * A gRPC error as a domain error for a person. `unreachable` prefixes the
 * message of a fault (e.g. "coordinator 10.0.0.1:7070 unreachable"), so the
 * one line says which peer failed.
 */
export function fromServiceError(err: Pick<ServiceError, 'code' | 'details' | 'message'>, unreachable: string): HostpilotError {
  const kind = kindOf(err.code);
  const detail = err.details || err.message;
  return new HostpilotError(kind, kind === 'unavailable' ? `${unreachable}: ${detail}` : detail);
}
