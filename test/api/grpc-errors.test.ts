// Error kinds and gRPC status codes, both ways, in one table (common/api/grpc-errors.ts).
import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { fromServiceError, kindOf, statusOf, toServiceError } from '../../common/api/grpc-errors.js';
import { HostpilotError, NotFoundError, type ErrorKind } from '../../common/errors.js';

const KINDS: Array<[ErrorKind, status]> = [
  ['invalid_argument', status.INVALID_ARGUMENT],
  ['not_found', status.NOT_FOUND],
  ['permission_denied', status.PERMISSION_DENIED],
  ['unauthenticated', status.UNAUTHENTICATED],
  ['failed_precondition', status.FAILED_PRECONDITION],
  ['conflict', status.ABORTED],
  ['unavailable', status.UNAVAILABLE],
];

describe('grpc errors', () => {
  it.each(KINDS)('%s ↔ %s', (kind, code) => {
    expect(statusOf(kind)).toBe(code);
    expect(kindOf(code)).toBe(kind);
    const wire = toServiceError(new HostpilotError(kind, `a ${kind} error`));
    expect(wire.code).toBe(code);
    expect(fromServiceError({ code, details: wire.details!, message: '' }, 'coordinator x unreachable')).toMatchObject({
      kind,
      message: kind === 'unavailable' ? `coordinator x unreachable: a ${kind} error` : `a ${kind} error`,
    });
  });

  it('a fault is UNAVAILABLE, never INTERNAL, and tells nothing of our insides', () => {
    expect(toServiceError(new TypeError('x is undefined at line 3'))).toEqual({ code: status.UNAVAILABLE, details: 'temporarily unavailable', message: 'temporarily unavailable' });
    expect(toServiceError(new HostpilotError('internal', 'parser state 7'))).toMatchObject({ code: status.UNAVAILABLE, details: 'temporarily unavailable' });
  });

  it('reads INTERNAL, UNKNOWN and DEADLINE_EXCEEDED from a peer as unavailable', () => {
    for (const code of [status.INTERNAL, status.UNKNOWN, status.DEADLINE_EXCEEDED]) expect(kindOf(code)).toBe('unavailable');
    expect(fromServiceError({ code: status.DEADLINE_EXCEEDED, details: 'Deadline exceeded', message: '' }, 'coordinator Acquire').message).toBe('coordinator Acquire: Deadline exceeded');
  });

  it('keeps a typed error as it was thrown', () => {
    expect(toServiceError(new NotFoundError('no rollout "r9"'))).toEqual({ code: status.NOT_FOUND, details: 'no rollout "r9"', message: 'no rollout "r9"' });
  });
});
