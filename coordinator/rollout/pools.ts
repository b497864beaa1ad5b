// The pool view (`hostpilotctl pools list`, as `oc get mcp` shows machine
// config pools): per pool its nodes by state, the versions they run, the
// rollout moving it, and who uses its disruption budget.
import { budgetHolders, poolOf, type BudgetHolder } from './budget.js';
import { budgetFor, type FleetNode, type Moving } from './planner.js';
import type { Rollout } from './types.js';

export interface PoolView {
  name: string;
  nodes: number;
  ready: number;
  updating: number;
  degraded: number;
  /** Excluded nodes count here only, whatever their state. */
  excluded: number;
  unreachable: number;
  /** Booted version -> nodes running it. */
  versions: Record<string, number>;
  /** The active rollout moving nodes of this pool, if any. */
  rollout: string;
  /** That rollout's budget for this pool; 0 without one. */
  budget: number;
  usedBy: BudgetHolder[];
  /** The pool's rendered NodeConfig hash (its target); '' without one. */
  configTarget: string;
  /** Applied config hash ('none' when a node has none) -> nodes that report it. */
  configs: Record<string, number>;
}

export interface PoolsInput {
  poolLabel: string;
  fleet: Map<string, FleetNode>;
  /** Holders of every lock group, with since when. */
  lockHolders: ReadonlyMap<string, number>;
  /** Active rollouts, each with the ids of its nodes. */
  rollouts: ReadonlyArray<Pick<Rollout, 'spec' | 'phase' | 'createdAt'> & { nodeIds: Iterable<string> }>;
  moving: Moving;
  /** Pool -> its rendered config hash (pools are named by the `pool` label for configs). */
  configTargets?: ReadonlyMap<string, string>;
}

export function poolViews(input: PoolsInput): PoolView[] {
  const { poolLabel, fleet } = input;
  const pools = new Map<string, PoolView>();
  for (const node of fleet.values()) {
    const name = poolOf(poolLabel, node);
    let p = pools.get(name);
    if (!p) pools.set(name, (p = { name, nodes: 0, ready: 0, updating: 0, degraded: 0, excluded: 0, unreachable: 0, versions: {}, rollout: '', budget: 0, usedBy: [], configTarget: input.configTargets?.get(name) ?? '', configs: {} }));
    p.nodes++;
    if (node.excluded !== undefined) p.excluded++;
    else if (node.state === 'ready') p.ready++;
    else if (node.state === 'degraded') p.degraded++;
    else if (node.state === 'unreachable') p.unreachable++;
    else p.updating++;
    const version = node.bootedVersion || node.bootedChecksum.slice(0, 12) || '(unknown)';
    p.versions[version] = (p.versions[version] ?? 0) + 1;
    const config = node.configHash || 'none';
    p.configs[config] = (p.configs[config] ?? 0) + 1;
  }
  const held = budgetHolders({ poolLabel, fleet, lockHolders: input.lockHolders, moving: input.moving });
  // The pools each rollout has nodes in: one pass over its nodes.
  const touches = new Map(input.rollouts.map((r) => [r, new Set([...r.nodeIds].map((id) => poolOf(poolLabel, fleet.get(id))))]));
  for (const p of pools.values()) {
    // The rollout moving this pool: one that has nodes in it, a running one first.
    const moving = input.rollouts
      .filter((r) => r.spec.poolLabel === poolLabel && touches.get(r)!.has(p.name))
      .sort((a, b) => Number(b.phase === 'running') - Number(a.phase === 'running') || a.createdAt - b.createdAt)[0];
    if (moving) {
      p.rollout = moving.spec.id;
      p.budget = budgetFor(p.nodes, moving.spec.maxUnavailable);
    }
    p.usedBy = [...(held.get(p.name)?.values() ?? [])].sort((a, b) => a.nodeId.localeCompare(b.nodeId));
  }
  return [...pools.values()].sort((a, b) => a.name.localeCompare(b.name));
}
