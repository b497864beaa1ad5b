// The one mapping between domain errors and gRPC status codes.
import { status, type ServiceError } from '@grpc/grpc-js';
import { HostpilotError, type ErrorKind } from '../../common/errors.js';

const CODES: Record<ErrorKind, status> = {
  invalid_argument: status.INVALID_ARGUMENT,
  not_found: status.NOT_FOUND,
  permission_denied: status.PERMISSION_DENIED,
  unauthenticated: status.UNAUTHENTICATED,
  failed_precondition: status.FAILED_PRECONDITION,
  unavailable: status.UNAVAILABLE,
  conflict: status.ABORTED,
  internal: status.INTERNAL,
};

export function toServiceError(err: unknown): Partial<ServiceError> {
  if (err instanceof HostpilotError) return { code: CODES[err.kind], details: err.message, message: err.message };
  return { code: status.INTERNAL, details: 'internal error', message: 'internal error' };
}
