// Typed errors shared by every program. Each carries a machine-readable `kind`
// (used as a metric label and mapped to gRPC / HTTP status codes in one place
// per API) and a message a person can act on.

export type ErrorKind =
  | 'invalid_argument'
  | 'not_found'
  | 'permission_denied'
  | 'unauthenticated'
  | 'failed_precondition'
  | 'unavailable'
  | 'conflict'
  | 'internal';

export class HostpilotError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad input: names the field so the caller knows what to fix. Changes nothing. */
export class InvalidArgumentError extends HostpilotError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super('invalid_argument', `${field}: ${message}`);
  }
}

export class NotFoundError extends HostpilotError {
  constructor(message: string) {
    super('not_found', message);
  }
}

export class PermissionDeniedError extends HostpilotError {
  constructor(message: string) {
    super('permission_denied', message);
  }
}

export class UnauthenticatedError extends HostpilotError {
  constructor(message: string) {
    super('unauthenticated', message);
  }
}

export class FailedPreconditionError extends HostpilotError {
  constructor(message: string) {
    super('failed_precondition', message);
  }
}

/** A dependency (the store, the coordinator) cannot be reached; retrying later may work. */
export class UnavailableError extends HostpilotError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('unavailable', message, options);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
