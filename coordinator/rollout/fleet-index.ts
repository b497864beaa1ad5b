// The fleet as a rollout step needs it, kept up to date node by node as the
// registry reports changes, so that no step scans the fleet:
// - candidates that may be unavailable: every node whose record says it is
//   not ready or is excluded, and every node whose stream is not open here
//   (its state turns "unreachable" with time alone, so it is judged when asked);
// - per pool label a step asked about, each pool's size.
// A node is turned into a FleetNode only when asked for.
import type { FleetRegistry } from '../fleet/registry.js';
import type { NodeRecord, NodeState } from '../fleet/node-record.js';
import type { FleetView } from './fleet-view.js';
import type { FleetNode } from './planner.js';

export function toFleetNode(n: Readonly<NodeRecord>, state: NodeState): FleetNode {
  const booted = n.deployments.find((d) => d.booted);
  return {
    nodeId: n.nodeId,
    labels: n.labels,
    state,
    flowState: n.flowState,
    flowError: n.flowError,
    bootedVersion: booted?.version ?? '',
    bootedChecksum: booted?.checksum ?? '',
    bootedOrigin: booted?.origin ?? '',
    activeProblems: n.conditions.filter((c) => c.status).length,
    configHash: n.configHash ?? '',
    ...(n.desiredConfig ? { desiredConfig: { hash: n.desiredConfig.hash, disruption: n.desiredConfig.disruption } } : {}),
    ...(n.excluded ? { excluded: n.excluded.reason } : {}),
    ...(state === 'unreachable' ? { stateSince: n.lastSeen } : {}),
  };
}

interface PoolCount {
  /** Node -> its pool under this label. */
  of: Map<string, string>;
  sizes: Map<string, number>;
}

export class FleetIndex implements FleetView {
  private readonly candidates = new Set<string>();
  /**
   * The FleetNode last made of a node, kept while its record (a new object on
   * every change) and derived state are the same: a step asks for each node of
   * the current bucket, and building them anew made half the planner's time.
   */
  private readonly made = new Map<string, { record: Readonly<NodeRecord>; state: NodeState; node: FleetNode }>();
  private readonly pools = new Map<string, PoolCount>();
  private readonly off: () => void;

  constructor(private readonly fleet: FleetRegistry) {
    for (const n of fleet.scan()) this.judge(n.record.nodeId);
    this.off = fleet.onChange((id) => this.changed(id));
  }

  close(): void {
    this.off();
  }

  get(id: string): FleetNode | undefined {
    const n = this.fleet.peek(id);
    if (!n) return undefined;
    const kept = this.made.get(id);
    if (kept && kept.record === n.record && kept.state === n.state) return kept.node;
    const node = toFleetNode(n.record, n.state);
    this.made.set(id, { record: n.record, state: n.state, node });
    return node;
  }

  *unavailable(): Iterable<FleetNode> {
    for (const id of this.candidates) {
      const n = this.get(id);
      if (n && (n.state !== 'ready' || n.excluded !== undefined)) yield n;
    }
  }

  poolSizes(poolLabel: string): ReadonlyMap<string, number> {
    let count = this.pools.get(poolLabel);
    if (!count) {
      // First asked: one pass, then kept up to date.
      count = { of: new Map(), sizes: new Map() };
      this.pools.set(poolLabel, count);
      for (const n of this.fleet.scan()) place(count, n.record.nodeId, poolOfRecord(n.record, poolLabel));
    }
    return count.sizes;
  }

  private changed(id: string): void {
    this.made.delete(id);
    this.judge(id);
    const n = this.fleet.peek(id);
    for (const [label, count] of this.pools) place(count, id, n ? poolOfRecord(n.record, label) : undefined);
  }

  private judge(id: string): void {
    const n = this.fleet.peek(id);
    if (n && (!n.connected || n.state !== 'ready' || n.record.excluded !== undefined)) this.candidates.add(id);
    else this.candidates.delete(id);
  }
}

function poolOfRecord(r: Readonly<NodeRecord>, label: string): string {
  return r.labels[label] ?? '(no pool)';
}

/** Moves node `id` to `pool` (undefined: out of the fleet). */
function place(count: PoolCount, id: string, pool: string | undefined): void {
  const was = count.of.get(id);
  if (was === pool) return;
  if (was !== undefined) {
    const left = count.sizes.get(was)! - 1;
    if (left === 0) count.sizes.delete(was);
    else count.sizes.set(was, left);
    count.of.delete(id);
  }
  if (pool !== undefined) {
    count.of.set(id, pool);
    count.sizes.set(pool, (count.sizes.get(pool) ?? 0) + 1);
  }
}
