// A rollout: "these nodes go to OS target X", bucket by bucket, within a
// disruption budget, gated on health. `Rollout` is the whole of it in memory;
// the store holds it in pieces that do not grow with the fleet (layout.ts):
// a small head (`RolloutHead`, rollouts/<id>), one key per node and the
// buckets' members in bounded parts.
import type { RolloutSpec } from '../../common/api/rollout-spec.js';

export type { BucketStrategy, FailurePolicy, MaxUnavailable, RolloutSpec, Selector } from '../../common/api/rollout-spec.js';

export const ROLLOUT_PHASES = ['running', 'paused', 'completed', 'aborted'] as const;
export type RolloutPhase = (typeof ROLLOUT_PHASES)[number];

// skipped: held out by an operator (excluded) or no longer in the fleet; it goes back to waiting when that ends.
export type NodePhase = 'waiting' | 'updating' | 'done' | 'failed' | 'reverting' | 'skipped';

export interface RolloutNode {
  phase: NodePhase;
  /** Unix ms the node entered this phase. */
  since: number;
  /** The version the node ran when the rollout started it (for a rollback). */
  previous?: string;
  error?: string;
  /** Unix ms the rollout told the node its target (kept when it is done: the time model learns from it). */
  startedAt?: number;
  /** Unix ms the node was first seen holding its reboot lock: its health timeout runs from here. */
  lockedAt?: number;
  /** True when it was done without a reboot (it ran the target already). */
  noReboot?: boolean;
  /** A failure an operator resumed past: it no longer counts toward the failure policy. */
  forgiven?: boolean;
}

export interface Bucket {
  name: string;
  nodes: string[];
}

export interface Rollout {
  spec: RolloutSpec;
  phase: RolloutPhase;
  /** Why it is paused or aborted, for a person. */
  reason?: string;
  pausedBy?: 'failure' | 'operator';
  buckets: Bucket[];
  /** Index into buckets of the bucket being rolled. */
  bucket: number;
  /** When the current bucket's last node finished (settle time runs from here). */
  bucketDoneAt?: number;
  nodes: Record<string, RolloutNode>;
  /** An image-tag target pinned to one digest (image-pin.ts); absent until the first node resolves it. */
  pinnedTarget?: string;
  /** Why nothing moves now (or what it waits for), for a person; changes only when the reason does. */
  message?: string;
  createdAt: number;
  updatedAt: number;
}

/** Everything of a rollout but its nodes and its buckets' members. */
export type RolloutHeadFields = Omit<Rollout, 'nodes' | 'buckets'>;

export const NODE_PHASES: readonly NodePhase[] = ['waiting', 'updating', 'done', 'failed', 'reverting', 'skipped'];

/** Nodes per phase. */
export type PhaseCounts = Record<NodePhase, number>;

export function zeroCounts(): PhaseCounts {
  return { waiting: 0, updating: 0, done: 0, failed: 0, reverting: 0, skipped: 0 };
}

/** rollouts/<id> in the store: small whatever the fleet's size (layout.ts). */
export interface RolloutHead extends RolloutHeadFields {
  /** 2: this layout. A document without it is a whole rollout written by an earlier version (migrated at start). */
  layout: 2;
  bucketCount: number;
  /** The current bucket's name ('' once past the last). */
  bucketName: string;
  /** Nodes per phase (a summary for status and lists; the node keys are the truth). */
  counts: PhaseCounts;
  /** Bumped by every write of the head: the leader writes a step only over the head it planned from. */
  rev: number;
  /** The rev at which a writer other than the leader's step last changed node keys: the leader reloads them. */
  nodesRev: number;
}

/** rollout-nodes/<id>/<node>: one node of a rollout. */
export interface StoredRolloutNode extends RolloutNode {
  /** Index of its bucket. */
  bucket: number;
}
