// The coordinator's HTTP side: FleetLock for Zincati, probes, /metrics.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Registry } from 'prom-client';
import type { HostPort } from '../../common/address.js';
import { BodyTooLargeError, readBody, sendJson, sendText, startHttpServer, type RunningHttpServer } from '../../common/http-server.js';
import type { Logger } from '../../common/log.js';
import type { TlsMaterial } from '../../common/tls.js';
import type { Authorizer, Caller } from '../auth/authorizer.js';
import type { LockService } from '../locks/lock-service.js';
import { MAX_BODY_BYTES, errorResponse, handleFleetLock } from './fleetlock.js';

export interface CoordinatorHttpOptions {
  listen: HostPort;
  tls?: TlsMaterial;
  /** Authorizer for FleetLock: enforcing when --fleetlock-client-certs is set. */
  fleetLockAuth: Authorizer;
  locks: LockService;
  registry: Registry;
  ready: () => Promise<boolean>;
  log: Logger;
  /** Sent as `hostpilot-grpc-port` on every reply, so hostpilotctl pointed here can say where gRPC is. */
  grpcPort?: number;
}

const ROUTES = new Set(['/v1/pre-reboot', '/v1/steady-state', '/healthz', '/readyz', '/metrics']);

export function startCoordinatorHttp(options: CoordinatorHttpOptions): Promise<RunningHttpServer> {
  const { fleetLockAuth, locks, registry, log } = options;

  const fleetLockCaller = (req: IncomingMessage): Caller => {
    if (!fleetLockAuth.enforce) return { identities: undefined };
    const socket = req.socket as TLSSocket;
    // rejectUnauthorized is off so probes and scrapes work without a certificate; FleetLock checks here.
    if (typeof socket.getPeerCertificate !== 'function' || !socket.authorized) {
      return fleetLockAuth.callerFromCertificate(undefined);
    }
    return fleetLockAuth.callerFromCertificate(socket.getPeerCertificate());
  };

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    if (options.grpcPort !== undefined) res.setHeader('hostpilot-grpc-port', String(options.grpcPort));
    const path = (req.url ?? '/').split('?')[0]!;
    if (!ROUTES.has(path)) return sendJson(res, 404, { kind: 'not_found', value: `no such endpoint ${path.slice(0, 100)}` });
    if (path === '/v1/pre-reboot' || path === '/v1/steady-state') {
      if (req.method !== 'POST') return sendJson(res, 405, { kind: 'method_not_allowed', value: `${path} takes POST` });
      let body: string;
      try {
        body = await readBody(req, MAX_BODY_BYTES);
      } catch (err) {
        if (err instanceof BodyTooLargeError) {
          res.setHeader('connection', 'close');
          return sendJson(res, 413, { kind: 'request_too_large', value: `body over ${MAX_BODY_BYTES} bytes` });
        }
        throw err;
      }
      let caller: Caller;
      try {
        caller = fleetLockCaller(req);
      } catch (err) {
        const r = errorResponse(err);
        return sendJson(res, r.status, r.body);
      }
      const op = path === '/v1/pre-reboot' ? 'pre-reboot' : 'steady-state';
      const r = await handleFleetLock(op, req.headers, body, caller, locks, fleetLockAuth);
      if (r.status >= 400) log.info('fleetlock refused', { op, status: r.status, ...r.body });
      return sendJson(res, r.status, r.body);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { kind: 'method_not_allowed', value: `${path} takes GET` });
    if (path === '/healthz') return sendText(res, 200, 'ok\n');
    if (path === '/readyz') {
      const ready = await options.ready().catch(() => false);
      return sendText(res, ready ? 200 : 503, ready ? 'ready\n' : 'not ready: store unavailable\n');
    }
    return sendText(res, 200, await registry.metrics(), registry.contentType);
  };

  return startHttpServer({
    listen: options.listen,
    ...(options.tls ? { tls: options.tls } : {}),
    requestClientCert: fleetLockAuth.enforce,
    handler,
    onError: (err) => log.error('http handler failed', { err }),
  });
}
