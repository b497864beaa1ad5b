// The FleetLock protocol (what Zincati speaks; zincati's
// docs/development/fleetlock/protocol.md): POST /v1/pre-reboot takes a slot
// (re-entrant), POST /v1/steady-state releases it (idempotent). Errors are a
// JSON body {"kind","value"}; `kind` becomes a metric label on the client, so
// it is one of the small fixed set below.
import { HostpilotError } from '../../common/errors.js';
import { GROUP_RULE, isGroupName, isNodeId } from '../../common/names.js';
import type { Caller, Authorizer } from '../auth/authorizer.js';
import type { LockService } from '../locks/lock-service.js';

export const FLEETLOCK_KINDS = [
  'missing_protocol_header',
  'malformed_request',
  'request_too_large',
  'invalid_client_identity',
  'unknown_group',
  'failed_lock_semaphore_full',
  'permission_denied',
  'unauthenticated',
  'store_unavailable',
  'method_not_allowed',
  'not_found',
  'internal_error',
] as const;
export type FleetLockKind = (typeof FLEETLOCK_KINDS)[number];

export const MAX_BODY_BYTES = 64 * 1024;

export interface FleetLockResponse {
  status: number;
  body: { kind: FleetLockKind; value: string } | { ok: true; holders: string[] };
}

function refuse(status: number, kind: FleetLockKind, value: string): FleetLockResponse {
  return { status, body: { kind, value } };
}

interface ClientParams {
  id: string;
  group: string;
}

/** Validates headers and body; a refusal changes nothing. */
export function parseFleetLockRequest(headers: Record<string, string | string[] | undefined>, body: string): ClientParams | FleetLockResponse {
  const header = headers['fleet-lock-protocol'];
  if (header !== 'true') {
    return refuse(400, 'missing_protocol_header', header === undefined ? 'header fleet-lock-protocol: true is required' : `fleet-lock-protocol must be "true", got ${JSON.stringify(String(header).slice(0, 40))}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return refuse(400, 'malformed_request', 'body is not valid JSON');
  }
  const params = (parsed as { client_params?: unknown } | null)?.client_params as { id?: unknown; group?: unknown } | undefined;
  if (typeof parsed !== 'object' || parsed === null || typeof params !== 'object' || params === null) {
    return refuse(400, 'malformed_request', 'body must be {"client_params":{"id":"...","group":"..."}}');
  }
  if (typeof params.id !== 'string' || params.id === '') return refuse(400, 'invalid_client_identity', 'client_params.id must be a non-empty string');
  if (!isNodeId(params.id)) return refuse(400, 'invalid_client_identity', `client_params.id ${JSON.stringify(String(params.id).slice(0, 80))} is not a valid node id`);
  if (typeof params.group !== 'string' || !isGroupName(params.group)) {
    return refuse(400, 'invalid_client_identity', `client_params.group ${JSON.stringify(String(params.group ?? '').slice(0, 80))}: a group name ${GROUP_RULE}`);
  }
  return { id: params.id, group: params.group };
}

export function errorResponse(err: unknown): FleetLockResponse {
  if (err instanceof HostpilotError) {
    switch (err.kind) {
      case 'invalid_argument':
        return refuse(400, 'invalid_client_identity', err.message);
      case 'not_found':
        return refuse(404, 'unknown_group', err.message);
      case 'permission_denied':
        return refuse(403, 'permission_denied', err.message);
      case 'unauthenticated':
        return refuse(401, 'unauthenticated', err.message);
      case 'unavailable':
        return refuse(503, 'store_unavailable', err.message);
      default:
        break;
    }
  }
  return refuse(500, 'internal_error', 'internal error');
}

export async function handleFleetLock(
  op: 'pre-reboot' | 'steady-state',
  headers: Record<string, string | string[] | undefined>,
  body: string,
  caller: Caller,
  locks: LockService,
  auth: Authorizer,
  /** True for a node id that authenticates with a certificate (a node the fleet knows over mTLS gRPC). */
  certified: (nodeId: string) => boolean = () => false,
): Promise<FleetLockResponse> {
  const params = parseFleetLockRequest(headers, body);
  if ('status' in params) return params;
  try {
    auth.requireNode(caller, params.id);
    const lockCaller = caller.anonymous ? { anonymous: true } : {};
    if (caller.anonymous && certified(params.id)) {
      return refuse(403, 'permission_denied', `node ${JSON.stringify(params.id)} authenticates with a certificate: a FleetLock client without one may not act for it`);
    }
    if (op === 'pre-reboot') {
      const d = await locks.acquire(params.id, params.group, 'fleetlock', lockCaller);
      if (!d.granted) return refuse(409, 'failed_lock_semaphore_full', `semaphore full, held by: ${d.holders.join(', ')}`);
      return { status: 200, body: { ok: true, holders: d.holders } };
    }
    const d = await locks.release(params.id, params.group, 'fleetlock', lockCaller);
    return { status: 200, body: { ok: true, holders: d.holders } };
  } catch (err) {
    return errorResponse(err);
  }
}
