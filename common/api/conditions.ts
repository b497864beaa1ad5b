// One node condition for every area of the agent (problem monitors, systemd
// unit health, the thin pool, pod networking), after Kubernetes' NodeCondition
// and node-problem-detector: `status` "True" means the problem is present,
// "Unknown" that a check could not tell, which counts as a problem (unknown
// means no). Other shapes exist only at the edges: the Report wire message,
// Kubernetes node status, and the JSON files and command output that predate
// this type.
import type { Condition as WireCondition } from '../../proto/generated/hostpilot/v1/Condition.js';

export const CONDITION_STATUSES = ['True', 'False', 'Unknown'] as const;
export type ConditionStatus = (typeof CONDITION_STATUSES)[number];

export interface Condition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  /** Unix ms of the last status change; 0 when unknown. */
  lastTransitionTime: number;
}

/** A present problem, or a check that could not tell. */
export function isProblem(c: Pick<Condition, 'status'>): boolean {
  return c.status !== 'False';
}

export function statusOf(problem: boolean): ConditionStatus {
  return problem ? 'True' : 'False';
}

/** The condition `next` becomes, keeping the previous transition time while the status holds. */
export function withTransition<C extends Omit<Condition, 'lastTransitionTime'>>(next: C, previous: Pick<Condition, 'status' | 'lastTransitionTime'> | undefined, now: number): C & Condition {
  return { ...next, lastTransitionTime: previous && previous.status === next.status ? previous.lastTransitionTime : now };
}

/** The Report stream's form: `status` true for a problem (or an unknown). */
export function toWireCondition(c: Condition): WireCondition {
  return { type: c.type, status: isProblem(c), reason: c.reason, message: c.message, transition_unix_ms: c.lastTransitionTime };
}
