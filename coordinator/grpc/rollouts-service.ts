import { formatWindow } from '../../common/window.js';
import { formatMaxUnavailable, formatStrategy, parseRolloutSpec } from '../../common/api/rollout-spec.js';
import type { RolloutController } from '../rollout/controller.js';
import type { Rollout } from '../rollout/types.js';
import type { RolloutsHandlers } from '../../proto/generated/hostpilot/v1/Rollouts.js';
import type { RolloutStatus } from '../../proto/generated/hostpilot/v1/RolloutStatus.js';
import type { Authorizer } from '../auth/authorizer.js';
import { unary } from './call.js';


export function toWireRollout(r: Rollout): RolloutStatus {
  const s = r.spec;
  return {
    spec: {
      id: s.id,
      target: s.target,
      selector: Object.fromEntries(Object.entries(s.selector).map(([k, v]) => [k, v.join(',')])),
      strategy: formatStrategy(s.strategy),
      max_unavailable: formatMaxUnavailable(s.maxUnavailable),
      pool_label: s.poolLabel,
      windows: s.windows.map(formatWindow),
      settle_ms: s.settleMs,
      health_timeout_ms: s.healthTimeoutMs,
      pause_after_failures: s.failurePolicy.pauseAfter,
      rollback_on_failure: s.failurePolicy.rollback,
      lock_group: s.lockGroup,
    },
    phase: r.phase,
    reason: r.reason ?? '',
    paused_by: r.pausedBy ?? '',
    bucket: r.bucket,
    buckets: r.buckets.map((b) => ({ name: b.name, node_ids: b.nodes })),
    nodes: Object.entries(r.nodes)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([node_id, n]) => ({ node_id, phase: n.phase, since_unix_ms: n.since, previous: n.previous ?? '', error: n.error ?? '' })),
    created_unix_ms: r.createdAt,
    updated_unix_ms: r.updatedAt,
    pinned_target: r.pinnedTarget ?? '',
  };
}

export function rolloutsHandlers(controller: RolloutController, auth: Authorizer): RolloutsHandlers {
  return {
    Create: unary(auth, async (req, caller) => {
      auth.requireAdmin(caller);
      return toWireRollout(await controller.create(parseRolloutSpec(req)));
    }),
    Get: unary(auth, async (req, caller) => {
      auth.requireAdmin(caller);
      return toWireRollout(await controller.get(req.id));
    }),
    List: unary(auth, async (_req, caller) => {
      auth.requireAdmin(caller);
      return { rollouts: (await controller.list()).map(toWireRollout) };
    }),
    Pause: unary(auth, async (req, caller) => {
      auth.requireAdmin(caller);
      return toWireRollout(await controller.pause(req.id));
    }),
    Resume: unary(auth, async (req, caller) => {
      auth.requireAdmin(caller);
      return toWireRollout(await controller.resume(req.id));
    }),
    Abort: unary(auth, async (req, caller) => {
      auth.requireAdmin(caller);
      return toWireRollout(await controller.abort(req.id));
    }),
  };
}
