import { formatWindow } from '../../common/window.js';
import { formatMaxUnavailable, formatStrategy, parseRolloutSpec } from '../../common/api/rollout-spec.js';
import type { RolloutController, RolloutView } from '../rollout/controller.js';
import type { DryRun } from '../rollout/dry-run.js';
import type { RolloutPlan } from '../../proto/generated/hostpilot/v1/RolloutPlan.js';
import type { RolloutSpec as WireSpec } from '../../proto/generated/hostpilot/v1/RolloutSpec.js';
import type { RolloutSpec } from '../rollout/types.js';
import type { Rollout } from '../rollout/types.js';
import type { RolloutsHandlers } from '../../proto/generated/hostpilot/v1/Rollouts.js';
import type { RolloutStatus } from '../../proto/generated/hostpilot/v1/RolloutStatus.js';
import type { Authorizer } from '../auth/authorizer.js';
import { unary } from './call.js';

function toWireSpec(s: RolloutSpec): WireSpec {
  return {
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
      config_pool: s.config?.pool ?? '',
      config_hash: s.config?.hash ?? '',
  };
}

/** A rollout on the wire; with a view, each node's fleet state and agent error and each pool's budget holders. */
export function toWireRollout(r: Rollout, view?: RolloutView): RolloutStatus {
  return {
    spec: toWireSpec(r.spec),
    phase: r.phase,
    reason: r.reason ?? '',
    paused_by: r.pausedBy ?? '',
    bucket: r.bucket,
    buckets: r.buckets.map((b) => ({ name: b.name, node_ids: b.nodes })),
    nodes: Object.entries(r.nodes)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([node_id, n]) => {
        const live = view?.nodes.get(node_id);
        // The agent's own last error first: it says what the node is stuck on now.
        return { node_id, phase: n.phase, since_unix_ms: n.since, previous: n.previous ?? '', error: live?.error || n.error || '', state: live?.state ?? '', previous_config: n.previousConfig ?? '', config_hash: live?.configHash ?? '' };
      }),
    created_unix_ms: r.createdAt,
    updated_unix_ms: r.updatedAt,
    pinned_target: r.pinnedTarget ?? '',
    message: r.message ?? (r.phase === 'aborted' || r.phase === 'completed' ? (r.reason ?? r.phase) : ''),
    budgets: (view?.budgets ?? []).map((b) => ({ pool: b.pool, budget: b.budget, used_by: b.usedBy.map((h) => ({ node_id: h.nodeId, why: h.why, since_unix_ms: h.since ?? 0 })) })),
  };
}

function toWirePlan(spec: RolloutSpec, d: DryRun): RolloutPlan {
  return {
    spec: toWireSpec(spec),
    buckets: d.buckets.map((b) => ({ name: b.name, waves: b.waves.map((node_ids) => ({ node_ids })), already_done: b.alreadyDone, excluded: b.excluded })),
    expected_duration_ms: d.expectedMs,
    node_update_ms: d.nodeUpdateMs,
    first_window_unix_ms: d.firstWindowAt ?? 0,
  };
}

async function withView(controller: RolloutController, r: Rollout): Promise<RolloutStatus> {
  return toWireRollout(r, await controller.view(r));
}

export function rolloutsHandlers(controller: RolloutController, auth: Authorizer): RolloutsHandlers {
  return {
    Create: unary(auth, async (req, caller) => {
      auth.requireAdmin(caller);
      return withView(controller, await controller.create(parseRolloutSpec(req)));
    }),
    Get: unary(auth, async (req, caller) => {
      auth.requireAdmin(caller);
      return withView(controller, await controller.get(req.id));
    }),
    List: unary(auth, async (_req, caller) => {
      auth.requireAdmin(caller);
      return { rollouts: (await controller.list()).map((r) => toWireRollout(r)) };
    }),
    Pause: unary(auth, async (req, caller) => {
      auth.requireAdmin(caller);
      return withView(controller, await controller.pause(req.id));
    }),
    Resume: unary(auth, async (req, caller) => {
      auth.requireAdmin(caller);
      return withView(controller, await controller.resume(req.id));
    }),
    DryRun: unary(auth, async (req, caller) => {
      auth.requireAdmin(caller);
      const spec = parseRolloutSpec(req);
      return toWirePlan(spec, await controller.dryRun(spec));
    }),
    Abort: unary(auth, async (req, caller) => {
      auth.requireAdmin(caller);
      return withView(controller, await controller.abort(req.id));
    }),
  };
}
