import { formatWindow } from '../../common/window.js';
import { formatMaxUnavailable, formatStrategy, parseRolloutSpec } from '../../common/api/rollout-spec.js';
import type { RolloutController, RolloutView } from '../rollout/controller.js';
import { zeroCounts, type PhaseCounts, type RolloutHead, type RolloutHeadFields } from '../rollout/types.js';
import { InvalidArgumentError } from '../../common/errors.js';
import { MAX_PAGE_SIZE, decodePageToken, encodePageToken, pageSize } from './node-pages.js';
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
  };
}

/** A whole rollout on the wire (every node and bucket member: small rollouts, tests). */
export function toWireRollout(r: Rollout): RolloutStatus {
  const counts = zeroCounts();
  for (const n of Object.values(r.nodes)) counts[n.phase]++;
  return {
    ...wireHead(r, counts, r.buckets.length),
    buckets: r.buckets.map((b) => ({ name: b.name, node_ids: b.nodes })),
    nodes: Object.entries(r.nodes)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([node_id, n]) => ({ node_id, phase: n.phase, since_unix_ms: n.since, previous: n.previous ?? '', error: n.error ?? '', state: '' })),
    bucket_summaries: r.buckets.map((b) => {
      const c = zeroCounts();
      for (const id of b.nodes) {
        const n = r.nodes[id];
        if (n) c[n.phase]++;
      }
      return { name: b.name, total: b.nodes.length, counts: c };
    }),
  };
}

/** What every answer about a rollout says, from its head. */
function wireHead(r: RolloutHeadFields, counts: PhaseCounts, bucketCount: number): RolloutStatus {
  return {
    spec: toWireSpec(r.spec),
    phase: r.phase,
    reason: r.reason ?? '',
    paused_by: r.pausedBy ?? '',
    bucket: r.bucket,
    created_unix_ms: r.createdAt,
    updated_unix_ms: r.updatedAt,
    pinned_target: r.pinnedTarget ?? '',
    message: r.message ?? (r.phase === 'aborted' || r.phase === 'completed' ? (r.reason ?? r.phase) : ''),
    node_counts: counts,
    total_nodes: Object.values(counts).reduce((a, b) => a + b, 0),
    bucket_count: bucketCount,
  };
}

/** One page of a rollout's status: its head, counts per bucket, a page of nodes with the fleet's state and agent error, budgets. */
export function toWireStatus(v: RolloutView): RolloutStatus {
  const h = v.head;
  return {
    ...wireHead(h, h.counts, h.bucketCount),
    buckets: (v.buckets ?? []).map((b) => ({ name: b.name, node_ids: b.nodes })),
    // The agent's own last error first: it says what the node is stuck on now.
    nodes: v.nodes.map(({ nodeId, node: n, state, error }) => ({ node_id: nodeId, phase: n.phase, since_unix_ms: n.since, previous: n.previous ?? '', error: error || n.error || '', state })),
    budgets: v.budgets.map((b) => ({ pool: b.pool, budget: b.budget, used_by: b.usedBy.map((x) => ({ node_id: x.nodeId, why: x.why, since_unix_ms: x.since ?? 0 })) })),
    bucket_summaries: v.summaries.map((b) => ({ name: b.name, total: b.total, counts: b.counts })),
    bucket_summaries_from: v.summariesFrom,
    next_node_page_token: v.nextAfter ? encodePageToken(v.nextAfter) : '',
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

/** The status answer: by default the first page of nodes (a small rollout whole). */
async function statusOf(controller: RolloutController, head: RolloutHead, req: { node_page_size?: number; node_page_token?: string; summary_only?: boolean } = {}): Promise<RolloutStatus> {
  let after: string | undefined;
  try {
    after = decodePageToken(req.node_page_token ?? '');
  } catch {
    throw new InvalidArgumentError('node_page_token', 'is not a next_node_page_token from a previous Get reply');
  }
  if ((req.node_page_size ?? 0) > MAX_PAGE_SIZE) throw new InvalidArgumentError('node_page_size', `${req.node_page_size}: at most ${MAX_PAGE_SIZE}`);
  const view = await controller.status(head, { pageSize: pageSize(req.node_page_size ?? 0), ...(after !== undefined ? { after } : {}), summaryOnly: req.summary_only === true });
  return toWireStatus(view);
}

export function rolloutsHandlers(controller: RolloutController, auth: Authorizer): RolloutsHandlers {
  return {
    Create: unary(auth, async (req, caller) => {
      auth.requireAdmin(caller);
      return statusOf(controller, await controller.create(parseRolloutSpec(req)));
    }),
    Get: unary(auth, async (req, caller) => {
      auth.requireAdmin(caller);
      return statusOf(controller, await controller.head(req.id), req);
    }),
    List: unary(auth, async (_req, caller) => {
      auth.requireAdmin(caller);
      // Heads only: counts, no node (a rollout's nodes are paged by Get).
      return { rollouts: (await controller.list()).map((h) => ({ ...wireHead(h, h.counts, h.bucketCount), buckets: [], nodes: [], budgets: [], bucket_summaries: [] })) };
    }),
    Pause: unary(auth, async (req, caller) => {
      auth.requireAdmin(caller);
      return statusOf(controller, await controller.pause(req.id));
    }),
    Resume: unary(auth, async (req, caller) => {
      auth.requireAdmin(caller);
      return statusOf(controller, await controller.resume(req.id));
    }),
    DryRun: unary(auth, async (req, caller) => {
      auth.requireAdmin(caller);
      const spec = parseRolloutSpec(req);
      return toWirePlan(spec, await controller.dryRun(spec));
    }),
    Abort: unary(auth, async (req, caller) => {
      auth.requireAdmin(caller);
      return statusOf(controller, await controller.abort(req.id));
    }),
  };
}
