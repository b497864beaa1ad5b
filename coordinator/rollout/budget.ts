// Who takes a pool's disruption budget, and why: the one count the planner
// starts nodes by, and what `rollout status` and `pools list` show an
// operator ("who holds the slots?", airlock#81).
import { asFleetView, type FleetView } from './fleet-view.js';
import type { FleetNode } from './planner.js';
import type { RolloutNode } from './types.js';

export interface BudgetHolder {
  nodeId: string;
  /** For a person: "holds a reboot lock", "updating to 2 (rollout r1)", "degraded: ...". */
  why: string;
  /** Unix ms since when, when known. */
  since?: number;
}

export interface BudgetInput {
  poolLabel: string;
  /** Every node the coordinator knows. */
  fleet: ReadonlyMap<string, FleetNode> | FleetView;
  /** Nodes holding a reboot-lock slot (FleetLock clients included), with since when if known. */
  lockHolders: ReadonlySet<string> | ReadonlyMap<string, number>;
  /** Nodes an active rollout is moving: node -> { rollout, target, since }. */
  moving: ReadonlyMap<string, { rollout: string; target: string; since: number }>;
}

export function poolOf(poolLabel: string, node: FleetNode | undefined): string {
  return node?.labels[poolLabel] ?? '(no pool)';
}

// An excluded node is out of the operator's way: it counts only when it is really down.
const DOWN = new Set(['unreachable', 'rebooting']);

function notAvailable(node: FleetNode): string | undefined {
  if (node.state === 'ready') return undefined;
  if (node.excluded !== undefined && !DOWN.has(node.state)) return undefined;
  const detail = node.flowError ? `: ${node.flowError}` : node.activeProblems ? `: ${node.activeProblems} active problem(s)` : '';
  return `${node.state}${node.flowState && node.flowState !== 'idle' && node.state !== node.flowState ? ` (${node.flowState})` : ''}${detail}`;
}

/** Per pool, the nodes that are unavailable now, each with one reason (the most telling). */
export function budgetHolders(input: BudgetInput): Map<string, Map<string, BudgetHolder>> {
  const { lockHolders, moving, poolLabel } = input;
  const fleet = asFleetView(input.fleet);
  const pools = new Map<string, Map<string, BudgetHolder>>();
  const add = (pool: string, holder: BudgetHolder) => {
    let held = pools.get(pool);
    if (!held) pools.set(pool, (held = new Map()));
    if (!held.has(holder.nodeId)) held.set(holder.nodeId, holder);
  };
  const lockSince = (id: string) => (lockHolders instanceof Map ? lockHolders.get(id) : undefined);
  for (const [id, m] of moving) add(poolOf(poolLabel, fleet.get(id)), { nodeId: id, why: `updating to ${m.target} (rollout ${m.rollout})`, since: m.since });
  const unknown: string[] = [];
  for (const id of lockHolders.keys()) {
    const since = lockSince(id);
    const node = fleet.get(id);
    if (node) add(poolOf(poolLabel, node), { nodeId: id, why: 'holds a reboot lock', ...(since !== undefined ? { since } : {}) });
    else unknown.push(id);
  }
  for (const node of fleet.unavailable()) {
    if (lockHolders.has(node.nodeId)) continue;
    const why = notAvailable(node);
    if (why) add(poolOf(poolLabel, node), { nodeId: node.nodeId, why, ...(node.stateSince !== undefined ? { since: node.stateSince } : {}) });
  }
  // A holder the fleet does not know (a Zincati node speaking only FleetLock) has no known
  // pool, so it may be in any: it counts as unavailable in every pool.
  const everyPool = unknown.length ? [...fleet.poolSizes(poolLabel).keys()] : [];
  for (const id of unknown) {
    const since = lockSince(id);
    for (const pool of everyPool) add(pool, { nodeId: id, why: 'holds a reboot lock (a node this coordinator does not know)', ...(since !== undefined ? { since } : {}) });
  }
  return pools;
}

/** The nodes a rollout says it is moving (given its nodes in flight, or all of them). */
export function movingOf(rolloutId: string, target: string, nodes: Iterable<[string, RolloutNode]>): Map<string, { rollout: string; target: string; since: number }> {
  const moving = new Map<string, { rollout: string; target: string; since: number }>();
  for (const [id, n] of nodes) {
    if (n.phase === 'updating') moving.set(id, { rollout: rolloutId, target, since: n.startedAt ?? n.since });
    else if (n.phase === 'reverting') moving.set(id, { rollout: rolloutId, target: n.previous ?? '(previous)', since: n.since });
  }
  return moving;
}

/** "node-a (degraded: ..., since 2026-01-07T12:00:00Z)" */
export function formatHolder(h: BudgetHolder): string {
  return `${h.nodeId} (${h.why}${h.since ? `, since ${new Date(h.since).toISOString().replace(/\.\d{3}Z$/, 'Z')}` : ''})`;
}
