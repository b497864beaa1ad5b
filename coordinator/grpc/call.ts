// Adapters from grpc-js handlers to async functions that see the caller's
// identity and throw domain errors (mapped to status codes in common/api/grpc-errors.ts).
import type * as grpc from '@grpc/grpc-js';
import type { Authorizer, Caller } from '../auth/authorizer.js';
import { toServiceError } from '../../common/api/grpc-errors.js';

export function callerOf(auth: Authorizer, call: { getAuthContext(): { sslPeerCertificate?: unknown } | null }): Caller {
  return auth.callerFromCertificate(call.getAuthContext()?.sslPeerCertificate as Parameters<Authorizer['callerFromCertificate']>[0]);
}

export function unary<Req, Res>(auth: Authorizer, handler: (req: Req, caller: Caller) => Promise<Res>): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => handler(call.request, callerOf(auth, call)))
      .then(
        (reply) => callback(null, reply),
        (err: unknown) => callback(toServiceError(err)),
      );
  };
}
