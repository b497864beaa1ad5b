import type { LockGroup } from '../../proto/generated/hostpilot/v1/LockGroup.js';
import type { LocksHandlers } from '../../proto/generated/hostpilot/v1/Locks.js';
import type { Authorizer } from '../auth/authorizer.js';
import type { LockDecision } from '../locks/lock-table.js';
import type { LockService } from '../locks/lock-service.js';
import { unary } from './call.js';

function reply(d: LockDecision) {
  return { granted: d.granted, holders: d.holders, reason: d.reason };
}

export function locksHandlers(locks: LockService, auth: Authorizer): LocksHandlers {
  return {
    Acquire: unary(auth, async (req, caller) => {
      auth.requireNode(caller, req.node_id);
      return reply(await locks.acquire(req.node_id, req.group, 'grpc'));
    }),
    Release: unary(auth, async (req, caller) => {
      auth.requireNode(caller, req.node_id);
      return reply(await locks.release(req.node_id, req.group, 'grpc'));
    }),
    ForceRelease: unary(auth, async (req, caller) => {
      auth.requireAdmin(caller);
      return reply(await locks.forceRelease(req.node_id, req.group, 'grpc'));
    }),
    List: unary(auth, async (req, caller) => {
      auth.requireAdmin(caller);
      const groups: LockGroup[] = (await locks.list(req.group || undefined)).map((g) => ({
        name: g.name,
        slots: g.slots,
        holders: g.holders.map((h) => ({ node_id: h.nodeId, since_unix_ms: h.since, expires_unix_ms: h.expiresAt ?? 0, via: h.via })),
      }));
      return { groups };
    }),
  };
}
