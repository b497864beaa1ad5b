// One rollout in memory, indexed so that a planner step costs what is in
// flight and the current bucket, not the whole rollout: the nodes in flight,
// the failing and the skipped ones, nodes per phase overall and per bucket.
// Every change of a node goes through `set`, which keeps the indexes and
// remembers the node as changed (the controller writes only those).
import { zeroCounts, type Bucket, type NodePhase, type PhaseCounts, type Rollout, type RolloutHeadFields, type RolloutNode } from './types.js';

const IN_FLIGHT = new Set<NodePhase>(['updating', 'reverting']);
const FAILING = new Set<NodePhase>(['failed', 'reverting']);
/** A bucket is finished when none of its nodes is in these phases. */
const OPEN = new Set<NodePhase>(['waiting', 'updating', 'reverting']);

export class RolloutState {
  readonly nodes = new Map<string, RolloutNode>();
  /** Node -> its bucket. */
  readonly bucketOf = new Map<string, number>();
  /** Node -> its place in bucket order (the order nodes are started in). */
  readonly order = new Map<string, number>();
  /** updating | reverting, in the order they got there. */
  readonly inFlight = new Set<string>();
  /** failed | reverting (forgiven ones included). */
  readonly failing = new Set<string>();
  readonly skipped = new Set<string>();
  readonly counts: PhaseCounts = zeroCounts();
  readonly bucketCounts: PhaseCounts[];
  /** Nodes changed since the last `takeChanged`, with their entry before the first change. */
  private changed = new Map<string, RolloutNode | undefined>();

  constructor(
    public head: RolloutHeadFields,
    readonly buckets: readonly Bucket[],
    nodes: Iterable<[string, RolloutNode]>,
  ) {
    this.bucketCounts = buckets.map(() => zeroCounts());
    let place = 0;
    buckets.forEach((b, i) => {
      for (const id of b.nodes) {
        this.bucketOf.set(id, i);
        this.order.set(id, place++);
      }
    });
    for (const [id, n] of nodes) this.index(id, n);
  }

  static fromRollout(r: Rollout): RolloutState {
    const { nodes, buckets, ...head } = r;
    return new RolloutState({ ...head }, buckets, Object.entries(nodes));
  }

  /** The whole rollout as one value (tests, migration, small readers). */
  toRollout(): Rollout {
    const nodes: Record<string, RolloutNode> = {};
    for (const [id, n] of this.nodes) nodes[id] = n;
    return { ...this.head, buckets: this.buckets.map((b) => ({ name: b.name, nodes: [...b.nodes] })), nodes };
  }

  get(id: string): RolloutNode | undefined {
    return this.nodes.get(id);
  }

  /** Replaces a node's entry (entries are never changed in place). */
  set(id: string, node: RolloutNode): void {
    const old = this.nodes.get(id);
    if (old) this.unindex(id, old);
    this.index(id, node);
    if (!this.changed.has(id)) this.changed.set(id, old);
  }

  /** The nodes changed since the last call: id, entry before, entry now. */
  takeChanged(): Array<[string, RolloutNode | undefined, RolloutNode]> {
    const out = [...this.changed].map(([id, before]): [string, RolloutNode | undefined, RolloutNode] => [id, before, this.nodes.get(id)!]);
    this.changed = new Map();
    return out;
  }

  /** Nodes of bucket `i` not finished (waiting or in flight). */
  open(i: number): number {
    const c = this.bucketCounts[i];
    if (!c) return 0;
    let open = 0;
    for (const p of OPEN) open += c[p];
    return open;
  }

  /** The earliest bucket with a waiting node, or -1. */
  earliestWaiting(): number {
    return this.bucketCounts.findIndex((c) => c.waiting > 0);
  }

  /** Failed and reverting nodes no operator resumed past, in the order they failed. */
  unforgiven(): Array<[string, RolloutNode]> {
    const out: Array<[string, RolloutNode]> = [];
    for (const id of this.failing) {
      const n = this.nodes.get(id)!;
      if (!n.forgiven) out.push([id, n]);
    }
    return out;
  }

  private index(id: string, n: RolloutNode): void {
    this.nodes.set(id, n);
    this.counts[n.phase]++;
    const b = this.bucketOf.get(id);
    if (b !== undefined) this.bucketCounts[b]![n.phase]++;
    // A node that stays in a set keeps its place (Set.add of a member does not move it).
    member(this.inFlight, id, IN_FLIGHT.has(n.phase));
    member(this.failing, id, FAILING.has(n.phase));
    member(this.skipped, id, n.phase === 'skipped');
  }

  private unindex(id: string, n: RolloutNode): void {
    this.counts[n.phase]--;
    const b = this.bucketOf.get(id);
    if (b !== undefined) this.bucketCounts[b]![n.phase]--;
  }
}

/** Nodes per phase of a whole rollout value. */
export function countPhases(nodes: Iterable<RolloutNode>): PhaseCounts {
  const c = zeroCounts();
  for (const n of nodes) c[n.phase]++;
  return c;
}

function member(set: Set<string>, id: string, is: boolean): void {
  if (is) set.add(id);
  else set.delete(id);
}
