// What a rollout would do, without creating it (`rollout create --dry-run`):
// its buckets, the waves each bucket takes within its pools' budgets, and the
// expected duration from a time model learnt from earlier rollouts.
import { nextWindowOpen } from '../../common/window.js';
import { budgetFor, makeBuckets, matchesSelector, onTarget, poolSizes, type FleetNode } from './planner.js';
import { poolOf } from './budget.js';
import type { Rollout, RolloutSpec } from './types.js';

export interface DryRunBucket {
  name: string;
  /** Each wave: the nodes that go at once (within every pool's budget). */
  waves: string[][];
  /** Run the target already: done without a reboot. */
  alreadyDone: string[];
  /** Excluded by an operator: skipped. */
  excluded: string[];
}

export interface DryRun {
  buckets: DryRunBucket[];
  /** Waves times one node's update, plus the settle time after each bucket. */
  expectedMs: number;
  nodeUpdateMs: number;
  /** When the first reboot window opens, if none is open now. */
  firstWindowAt?: number;
}

/** One node's update (stage, lock, reboot, health) when no rollout has measured one here yet. */
export const DEFAULT_NODE_UPDATE_MS = 5 * 60_000;
// The newest node updates the time model looks at.
const SAMPLES = 200;

/**
 * The time model: the median time from being told the target to being steady on it, over
 * the nodes earlier rollouts moved with a reboot (the newest first).
 */
export function nodeUpdateMs(rollouts: readonly Rollout[]): number {
  const samples: number[] = [];
  for (const r of [...rollouts].sort((a, b) => b.createdAt - a.createdAt)) {
    for (const n of Object.values(r.nodes)) if (n.phase === 'done' && !n.noReboot && n.startedAt !== undefined && n.since >= n.startedAt) samples.push(n.since - n.startedAt);
    if (samples.length >= SAMPLES) break;
  }
  if (samples.length === 0) return DEFAULT_NODE_UPDATE_MS;
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

export function dryRun(spec: RolloutSpec, fleet: Map<string, FleetNode>, updateMs: number, now: number): DryRun {
  const selected = [...fleet.values()].filter((n) => matchesSelector(n.labels, spec.selector));
  const sizes = poolSizes(spec, fleet);
  const buckets = makeBuckets(selected, spec.strategy).map((b): DryRunBucket => {
    const alreadyDone: string[] = [];
    const excluded: string[] = [];
    const byPool = new Map<string, string[]>();
    for (const id of b.nodes) {
      const node = fleet.get(id)!;
      if (onTarget(node, spec)) alreadyDone.push(id);
      else if (node.excluded !== undefined) excluded.push(id);
      else {
        const pool = poolOf(spec.poolLabel, node);
        byPool.set(pool, [...(byPool.get(pool) ?? []), id]);
      }
    }
    const waves: string[][] = [];
    for (const [pool, ids] of byPool) {
      const budget = budgetFor(sizes.get(pool) ?? 1, spec.maxUnavailable);
      for (let i = 0; i * budget < ids.length; i++) (waves[i] ??= []).push(...ids.slice(i * budget, (i + 1) * budget));
    }
    return { name: b.name, waves, alreadyDone, excluded };
  });
  const expectedMs = buckets.reduce((sum, b) => sum + b.waves.length * updateMs + spec.settleMs, 0);
  const firstWindowAt = nextWindowOpen(spec.windows, now);
  return { buckets, expectedMs, nodeUpdateMs: updateMs, ...(firstWindowAt !== undefined ? { firstWindowAt } : {}) };
}
