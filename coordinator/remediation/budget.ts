// A remediation's share of its pool's disruption budget. A disruptive step
// (reboot, reprovision) may start only while fewer nodes of the pool are down
// than the budget allows, counting everything that takes a node away: reboot
// lock holders (FleetLock clients too), nodes a rollout is moving, other
// remediations' disruptive steps, and nodes rebooting, updating or
// unreachable. Merely degraded nodes do not count here: they are what
// remediation repairs (the storm guard bounds how many); rollouts count them.
// Pure.
import type { MaxUnavailable } from '../../common/api/rollout-spec.js';
import { poolOf } from '../rollout/budget.js';
import { budgetFor, matchesSelector, type FleetNode, type Moving } from '../rollout/planner.js';
import type { RolloutSpec } from '../rollout/types.js';

const DOWN = new Set(['rebooting', 'updating', 'unreachable']);

export interface PoolBudgetInput {
  poolLabel: string;
  fleet: ReadonlyMap<string, FleetNode>;
  lockHolders: ReadonlySet<string>;
  /** Nodes active rollouts are moving. */
  moving: Moving;
  /** Nodes in a disruptive remediation step. */
  remediating: ReadonlySet<string>;
}

/** Per pool, the nodes down now. */
export function downByPool(input: PoolBudgetInput): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (pool: string, id: string) => {
    let s = out.get(pool);
    if (!s) out.set(pool, (s = new Set()));
    s.add(id);
  };
  const pools = new Set([...input.fleet.values()].map((n) => poolOf(input.poolLabel, n)));
  for (const id of [...input.lockHolders, ...input.moving.keys(), ...input.remediating]) {
    const node = input.fleet.get(id);
    // A lock holder the fleet does not know (a Zincati node) may be in any pool.
    if (node) add(poolOf(input.poolLabel, node), id);
    else for (const pool of pools) add(pool, id);
  }
  for (const node of input.fleet.values()) {
    if (node.excluded !== undefined && node.state !== 'unreachable' && node.state !== 'rebooting') continue;
    if (DOWN.has(node.state)) add(poolOf(input.poolLabel, node), node.nodeId);
  }
  return out;
}

/**
 * The pool's budget for remediation: the policy's, and never more than that of
 * an active rollout moving the same pool (both spend one budget).
 */
export function remediationBudget(pool: string, poolSize: number, policyMax: MaxUnavailable, poolLabel: string, fleet: ReadonlyMap<string, FleetNode>, rollouts: ReadonlyArray<{ spec: RolloutSpec }>): number {
  let budget = budgetFor(poolSize, policyMax);
  for (const r of rollouts) {
    if (r.spec.poolLabel !== poolLabel) continue;
    // Does it move nodes of this pool: its selector picks one (the rollout's nodes are not read: they may be 100,000).
    if (![...fleet.values()].some((n) => poolOf(poolLabel, n) === pool && matchesSelector(n.labels, r.spec.selector))) continue;
    budget = Math.min(budget, budgetFor(poolSize, r.spec.maxUnavailable));
  }
  return budget;
}
