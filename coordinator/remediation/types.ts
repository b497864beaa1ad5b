// What the remediation controller keeps in the store: one document per node
// (remediations/<node>) with the remediation under way, the reboots it ordered
// (for the rate limit) and a bounded history; one per pool
// (remediation-pools/<pool>) with the operator's pause and the storm guard.
import type { RemediationAction } from '../../common/api/kinds/remediation-policy.js';

/** What the agent said about an order (NodeReport.remediation). */
export interface OrderResult {
  id: string;
  state: 'running' | 'succeeded' | 'failed';
  message: string;
  /** Unix ms the coordinator saw the result. */
  at: number;
}

export interface ActiveRemediation {
  /** Counts the node's remediations: order ids are `<node>/<episode>/<step>`, never reused. */
  episode: number;
  policy: string;
  pool: string;
  /** The condition type that made the node unhealthy ("Unreachable" for a silent node). */
  condition: string;
  /** Unix ms since when the condition holds. */
  since: number;
  /** Index into the policy's steps. */
  step: number;
  action: RemediationAction;
  unit?: string;
  orderId: string;
  /** Unix ms the step was ordered. */
  startedAt: number;
  /** Unix ms the step times out and the next one is due; absent for reprovision (the last). */
  deadline?: number;
  /** Steps ordered in this remediation, this one included. */
  attempts: number;
  result?: OrderResult;
}

export type HistoryEvent = 'started' | 'step' | 'escalated' | 'repaired' | 'rate-limited' | 'needs-reprovision' | 'abandoned';

export interface HistoryEntry {
  at: number;
  episode: number;
  event: HistoryEvent;
  action?: RemediationAction;
  orderId?: string;
  message: string;
}

export interface NodeRemediation {
  node: string;
  episodes: number;
  active?: ActiveRemediation;
  /** Unix ms of each reboot ordered, within the longest rate-limit window. */
  reboots: number[];
  /** Set by the reprovision step; cleared when the node comes back healthy. */
  needsReprovision?: { since: number; condition: string };
  /** Newest last, at most HISTORY_LIMIT entries. */
  history: HistoryEntry[];
}

export const HISTORY_LIMIT = 50;

export interface PoolRemediation {
  pool: string;
  paused: boolean;
  storm: boolean;
  /** Unix ms the storm guard last changed (a cooldown runs from when a storm ends). */
  stormSince?: number;
}

/** A step takes a place of its pool's disruption budget while it is under way. */
export function isDisruptive(action: RemediationAction): boolean {
  return action === 'reboot' || action === 'reprovision';
}

export function nodeKey(node: string): string {
  return `remediations/${node}`;
}

/** Pools are label values (letters, digits, ".", "_", "-"), or "(no pool)": that one is "_none" (no label value starts with "_"). */
export function poolKey(pool: string): string {
  return `remediation-pools/${/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(pool) ? pool : '_none'}`;
}
