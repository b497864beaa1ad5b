// The rollout's safety invariant, checked while the rollout runs, from both
// sides:
//
// - the simulator's side: every simulated node says when it took its lock
//   slot (stamped after the granted reply arrived), when it went down (reboot
//   start), came up, and gave its slot back (stamped before the Release call
//   leaves). Those intervals lie inside the coordinator's own, so overlapping
//   more than the slots (or a pool's budget) means the coordinator let it
//   happen. Events come from several processes over IPC, so they are replayed
//   in timestamp order once they are older than a lag.
// - the coordinator's side: snapshots of ListNodes and Locks/List; each one is
//   checked alone (two RPCs are not one instant).
// Pure: the caller supplies events, snapshots and the time.

export type SimEventKind = 'hold' | 'unhold' | 'down' | 'up';

export interface SimEvent {
  /** Unix ms with sub-ms precision (performance.timeOrigin + performance.now()). */
  t: number;
  node: string;
  pool: string;
  kind: SimEventKind;
}

const ORDER: Record<SimEventKind, number> = { unhold: 0, up: 1, hold: 2, down: 3 };

export class InvariantTracker {
  private pending: SimEvent[] = [];
  private readonly holders = new Set<string>();
  private readonly down = new Map<string, Set<string>>();
  private watermark = -Infinity;
  readonly violations: string[] = [];
  maxHolders = 0;
  readonly maxDown = new Map<string, number>();
  late = 0;
  processed = 0;

  constructor(
    private readonly budgets: ReadonlyMap<string, number>,
    private readonly slots: number,
  ) {}

  add(events: readonly SimEvent[]): void {
    for (const e of events) this.pending.push(e);
  }

  /** Replays the events stamped at or before `upTo`, in time order; returns the new violations. */
  advance(upTo: number): string[] {
    const ready = this.pending.filter((e) => e.t <= upTo);
    this.pending = this.pending.filter((e) => e.t > upTo);
    ready.sort((a, b) => a.t - b.t || ORDER[a.kind] - ORDER[b.kind]);
    const found: string[] = [];
    for (const e of ready) {
      const v = this.apply(e);
      if (v) found.push(v);
    }
    this.watermark = Math.max(this.watermark, upTo);
    this.violations.push(...found);
    return found;
  }

  /** Everything left, at the end of the run. */
  finish(): string[] {
    return this.advance(Infinity);
  }

  get currentHolders(): number {
    return this.holders.size;
  }

  private apply(e: SimEvent): string | undefined {
    this.processed++;
    if (e.t < this.watermark) this.late++;
    const at = new Date(e.t).toISOString();
    switch (e.kind) {
      case 'hold':
        if (this.holders.has(e.node)) return `${at} simulator: ${e.node} took a slot it already held`;
        this.holders.add(e.node);
        this.maxHolders = Math.max(this.maxHolders, this.holders.size);
        if (this.holders.size > this.slots) return `${at} simulator: ${this.holders.size} nodes hold a lock slot, more than the ${this.slots} slots`;
        return undefined;
      case 'unhold':
        this.holders.delete(e.node);
        return undefined;
      case 'down': {
        const set = this.down.get(e.pool) ?? new Set<string>();
        this.down.set(e.pool, set);
        set.add(e.node);
        this.maxDown.set(e.pool, Math.max(this.maxDown.get(e.pool) ?? 0, set.size));
        if (!this.holders.has(e.node)) return `${at} simulator: ${e.node} went down without holding a lock slot`;
        const budget = this.budgets.get(e.pool) ?? 0;
        if (set.size > budget) return `${at} simulator: ${set.size} nodes of pool ${e.pool} down at once, budget ${budget}`;
        return undefined;
      }
      case 'up':
        this.down.get(e.pool)?.delete(e.node);
        return undefined;
    }
  }
}

/** One pool as `Fleet/ListPools` counts it: one pass over the coordinator's fleet, so one moment (a paged ListNodes is not). */
export interface SnapshotPool {
  name: string;
  /** Nodes not ready and not excluded: updating, rebooting, degraded or unreachable. */
  notReady: number;
}

export interface SnapshotFigures {
  unavailable: Map<string, number>;
  holders: number;
}

/** Checks one ListPools snapshot: no pool has more nodes that are not ready than its budget. */
export function checkPoolsSnapshot(pools: readonly SnapshotPool[], budgets: ReadonlyMap<string, number>): { unavailable: Map<string, number>; violations: string[] } {
  const unavailable = new Map<string, number>();
  for (const p of pools) if (p.notReady > 0) unavailable.set(p.name, p.notReady);
  const violations: string[] = [];
  for (const [pool, count] of unavailable) {
    const budget = budgets.get(pool) ?? 0;
    if (count > budget) violations.push(`coordinator: ${count} nodes of pool ${pool} not ready at once, budget ${budget}`);
  }
  return { unavailable, violations };
}

/** Checks one Locks/List snapshot of the group: no more holders than slots, nor than a pool's budget. */
export function checkLocksSnapshot(holders: readonly string[], slots: number, poolOf: (node: string) => string, budgets: ReadonlyMap<string, number>): string[] {
  const violations: string[] = [];
  if (holders.length > slots) violations.push(`coordinator: ${holders.length} lock holders, more than the ${slots} slots`);
  const perPool = new Map<string, number>();
  for (const h of holders) perPool.set(poolOf(h), (perPool.get(poolOf(h)) ?? 0) + 1);
  for (const [pool, count] of perPool) {
    const budget = budgets.get(pool) ?? 0;
    if (count > budget) violations.push(`coordinator: ${count} lock holders in pool ${pool}, budget ${budget}`);
  }
  return violations;
}
