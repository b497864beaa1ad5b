// `rollout status` at any size: the head, nodes per phase per bucket, and
// one page of the nodes (in id order) with what the fleet says of each now.
// A rollout whose nodes fit one page comes whole (its buckets with their
// members, as before); a larger one comes summarised, with a token for the
// next page, so no answer grows with the fleet.
import type { Store } from '../store/store.js';
import type { FleetView } from './fleet-view.js';
import { nodeOf, readBuckets, readNodes } from './layout.js';
import { zeroCounts, type Bucket, type PhaseCounts, type RolloutHead, type RolloutNode } from './types.js';

/** Bucket summaries in one answer: a window from just before the current bucket. */
export const BUCKET_SUMMARIES = 1000;

export interface StatusRequest {
  /** Nodes in the page (the gRPC layer bounds it). */
  pageSize: number;
  /** The node id the previous page ended with (undefined: from the start). */
  after?: string;
  /** No node list, only the counts. */
  summaryOnly?: boolean;
}

export interface BucketSummary {
  name: string;
  total: number;
  counts: PhaseCounts;
}

export interface StatusNode {
  nodeId: string;
  node: RolloutNode;
  /** The node's state in the fleet ('removed' when gone, 'excluded'). */
  state: string;
  /** Its agent's last error. */
  error: string;
}

export interface RolloutStatusView {
  head: RolloutHead;
  /** Every bucket with its members: only when every node is on this one page. */
  buckets?: Bucket[];
  summaries: BucketSummary[];
  /** Index of the first bucket `summaries` covers. */
  summariesFrom: number;
  nodes: StatusNode[];
  /** The last node id of this page when more follow; '' when it is the last. */
  nextAfter: string;
}

/** A rollout's nodes and buckets: from the store, or the leader's copy. */
export interface StatusSource {
  nodes: ReadonlyMap<string, RolloutNode>;
  bucketOf: (nodeId: string) => number;
  buckets: readonly Bucket[];
}

/** Reads the rollout's nodes and buckets (one listing each). */
export async function readSource(store: Store, id: string): Promise<StatusSource> {
  const [stored, buckets] = await Promise.all([readNodes(store, id), readBuckets(store, id)]);
  return { nodes: new Map([...stored].map(([nodeId, n]) => [nodeId, nodeOf(n)])), bucketOf: (nodeId) => stored.get(nodeId)?.bucket ?? 0, buckets };
}

/** Counts per bucket and the page asked for. */
export function statusOf(head: RolloutHead, source: StatusSource, fleet: FleetView, req: StatusRequest): RolloutStatusView {
  const { nodes: stored, buckets } = source;
  const from = Math.max(0, Math.min(head.bucket, buckets.length) - 10);
  const window = buckets.slice(from, from + BUCKET_SUMMARIES);
  const summaries = window.map((b): BucketSummary => ({ name: b.name, total: b.nodes.length, counts: zeroCounts() }));
  for (const [nodeId, n] of stored) {
    const s = summaries[source.bucketOf(nodeId) - from];
    if (s) s.counts[n.phase]++;
  }
  const ids = [...stored.keys()].sort();
  const start = req.after === undefined ? 0 : firstAfter(ids, req.after);
  const page = req.summaryOnly ? [] : ids.slice(start, start + req.pageSize);
  const nodes = page.map((nodeId): StatusNode => {
    const live = fleet.get(nodeId);
    return { nodeId, node: stored.get(nodeId)!, state: !live ? 'removed' : live.excluded !== undefined ? 'excluded' : live.state, error: live?.flowError ?? '' };
  });
  const last = start + page.length;
  const whole = !req.summaryOnly && start === 0 && last >= ids.length;
  return {
    head,
    ...(whole ? { buckets: [...buckets] } : {}),
    summaries,
    summariesFrom: from,
    nodes,
    nextAfter: !req.summaryOnly && last < ids.length ? ids[last - 1] ?? '' : '',
  };
}

/** Index of the first id greater than `after` in sorted `ids`. */
function firstAfter(ids: readonly string[], after: string): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid]! <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
