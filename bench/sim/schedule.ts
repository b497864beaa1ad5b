// The ideal schedule a rollout is measured against, and small statistics.
// Pure: no I/O, no clock.
//
// A bucket's nodes can only go in waves: each wave takes at most `budget[p]`
// nodes of pool p (the rollout's maxUnavailable for that pool) and at most
// `slots` nodes in all (the lock group's slots). With every reboot taking the
// same time, the fewest waves that move a bucket is
//
//   waves(bucket) = max( max_p ceil(n_p / min(budget_p, slots)), ceil(n / slots) )
//
// (for a single pool: ceil(n / min(budget, slots))). The ideal rollout runs
// every wave back to back and waits only the settle time between buckets:
//
//   ideal = sum(waves(bucket)) × reboot + (buckets − 1) × settle

export interface BucketShape {
  name: string;
  /** Nodes of the bucket per pool. */
  pools: Map<string, number>;
}

export function wavesFor(bucket: BucketShape, budgets: Map<string, number>, slots: number): number {
  let total = 0;
  let waves = 0;
  for (const [pool, n] of bucket.pools) {
    if (n <= 0) continue;
    total += n;
    const budget = budgets.get(pool);
    if (budget === undefined || budget < 1) throw new Error(`no budget for pool ${pool}`);
    waves = Math.max(waves, Math.ceil(n / Math.min(budget, slots)));
  }
  return Math.max(waves, Math.ceil(total / slots));
}

export interface IdealSchedule {
  waves: number;
  buckets: number;
  idealMs: number;
}

export function idealSchedule(buckets: BucketShape[], budgets: Map<string, number>, opts: { slots: number; rebootMs: number; settleMs: number }): IdealSchedule {
  if (opts.slots < 1) throw new Error('slots must be at least 1');
  const waves = buckets.reduce((sum, b) => sum + wavesFor(b, budgets, opts.slots), 0);
  const settles = Math.max(0, buckets.length - 1);
  return { waves, buckets: buckets.length, idealMs: waves * opts.rebootMs + settles * opts.settleMs };
}

/** Nearest-rank percentile (p in 0..100) of unsorted samples; NaN when empty. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}
