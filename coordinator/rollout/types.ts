// A rollout: "these nodes go to OS target X", bucket by bucket, within a
// disruption budget, gated on health. Persisted in the store as one document
// per rollout (rollouts/<id>), changed only through Store.update.
import type { RebootWindow } from '../../common/window.js';

/** Label equality (`pool=workers`) or set membership (`rack in (r1,r2)`). */
export type Selector = Record<string, string[]>;

export type BucketStrategy = { kind: 'by-label'; label: string } | { kind: 'size'; size: number } | { kind: 'percent'; percent: number };

/** A count, or a percent of the pool rounded down with a floor of 1 (as the machine-config-operator does). */
export type MaxUnavailable = { kind: 'count'; count: number } | { kind: 'percent'; percent: number };

export interface FailurePolicy {
  /** Pause once this many nodes have failed. */
  pauseAfter: number;
  /** When pausing on failure, send the nodes already moved back to the version they ran before. */
  rollback: boolean;
}

export interface RolloutSpec {
  id: string;
  target: string;
  selector: Selector;
  strategy: BucketStrategy;
  maxUnavailable: MaxUnavailable;
  /** Which label names a node's pool (the budget applies per pool). */
  poolLabel: string;
  windows: RebootWindow[];
  settleMs: number;
  /** A started node must report steady on the target within this. */
  healthTimeoutMs: number;
  failurePolicy: FailurePolicy;
  /** The reboot-lock group whose holders count as unavailable. */
  lockGroup: string;
}

export type RolloutPhase = 'pending' | 'running' | 'paused' | 'completed' | 'aborted';
export const ROLLOUT_PHASES: readonly RolloutPhase[] = ['pending', 'running', 'paused', 'completed', 'aborted'];

export type NodePhase = 'waiting' | 'updating' | 'done' | 'failed' | 'reverting';

export interface RolloutNode {
  phase: NodePhase;
  /** Unix ms the node entered this phase. */
  since: number;
  /** The version the node ran when the rollout started it (for a rollback). */
  previous?: string;
  error?: string;
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
  createdAt: number;
  updatedAt: number;
}
