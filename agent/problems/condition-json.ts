// The JSON form of a problem condition in the state file (conditions.json) and
// in `hostpilot-agent problems` output, kept as it was before the shared
// Condition type: `status` a boolean (true: a problem, or unknown), `unknown`
// set when the check could not tell, `transitionTime` in unix ms.
import type { Condition } from './types.js';

export interface ConditionJson {
  type: string;
  status: boolean;
  unknown?: boolean;
  reason: string;
  message: string;
  transitionTime: number;
  source: string;
}

export function conditionJson(c: Condition): ConditionJson {
  return {
    type: c.type,
    status: c.status !== 'False',
    reason: c.reason,
    message: c.message,
    transitionTime: c.lastTransitionTime,
    source: c.source,
    ...(c.status === 'Unknown' ? { unknown: true } : {}),
  };
}

/** A saved condition, or undefined when it is not one. */
export function conditionFromJson(saved: Partial<ConditionJson> | null | undefined): Condition | undefined {
  if (!saved || typeof saved.type !== 'string' || typeof saved.status !== 'boolean') return undefined;
  return {
    type: saved.type,
    status: !saved.status ? 'False' : saved.unknown ? 'Unknown' : 'True',
    reason: String(saved.reason),
    message: String(saved.message),
    lastTransitionTime: Number(saved.transitionTime) || 0,
    source: String(saved.source),
  };
}
