// What the planner and the budget count need of the fleet: one node by id,
// the nodes whose state may take a place of a pool's budget, and the pools'
// sizes. The coordinator answers from an index kept as nodes change
// (fleet-index.ts), so a rollout step never scans the fleet; tests, the dry
// run and the pool view answer from a plain map (`mapFleet`).
import type { FleetNode } from './planner.js';

export interface FleetView {
  get(id: string): FleetNode | undefined;
  /**
   * At least every node that is not ready or is excluded (a superset is
   * fine: callers judge each node they are given).
   */
  unavailable(): Iterable<FleetNode>;
  /** Pool name (the node's value of `poolLabel`, else "(no pool)") -> nodes in it. */
  poolSizes(poolLabel: string): ReadonlyMap<string, number>;
}

/** A FleetView over a map of every node (computed on each call: for small or one-off uses). */
export function mapFleet(fleet: ReadonlyMap<string, FleetNode>): FleetView {
  return {
    get: (id) => fleet.get(id),
    *unavailable() {
      for (const n of fleet.values()) if (n.state !== 'ready' || n.excluded !== undefined) yield n;
    },
    poolSizes(poolLabel) {
      const sizes = new Map<string, number>();
      for (const n of fleet.values()) {
        const pool = n.labels[poolLabel] ?? '(no pool)';
        sizes.set(pool, (sizes.get(pool) ?? 0) + 1);
      }
      return sizes;
    },
  };
}

/** A FleetView as it is, a map made into one. */
export function asFleetView(fleet: ReadonlyMap<string, FleetNode> | FleetView): FleetView {
  return fleet instanceof Map ? mapFleet(fleet) : (fleet as FleetView);
}
