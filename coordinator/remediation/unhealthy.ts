// Is a node unhealthy by a policy, since when, and has it been long enough
// to act? Pure: the controller gives it the node's conditions as reported,
// its derived state and the time.
import type { RemediationPolicySpec } from '../../common/api/kinds/remediation-policy.js';

export interface HealthFacts {
  /** As the node reported them: status true is a problem (or an unknown). */
  conditions: ReadonlyArray<{ type: string; status: boolean; transition_unix_ms: number }>;
  unreachable: boolean;
  lastSeen: number;
}

export interface Unhealthy {
  /** The condition type, or "Unreachable". */
  condition: string;
  since: number;
  /** Unix ms from which the policy acts on it (since + for). */
  dueAt: number;
}

export const UNREACHABLE = 'Unreachable';

/**
 * The condition the policy acts on: the one due first. `firstSeen` gives a
 * time for a condition reported without a transition time (an older agent).
 */
export function unhealthyOf(policy: RemediationPolicySpec, node: HealthFacts, firstSeen: (type: string) => number): Unhealthy | undefined {
  const found: Unhealthy[] = [];
  for (const want of policy.conditions) {
    const c = node.conditions.find((x) => x.type === want.type);
    if (!c || c.status !== (want.status === 'True')) continue;
    const since = c.transition_unix_ms > 0 ? c.transition_unix_ms : firstSeen(c.type);
    found.push({ condition: c.type, since, dueAt: since + want.forMs });
  }
  if (policy.unreachableForMs !== undefined && node.unreachable) found.push({ condition: UNREACHABLE, since: node.lastSeen, dueAt: node.lastSeen + policy.unreachableForMs });
  return found.sort((a, b) => a.dueAt - b.dueAt || a.condition.localeCompare(b.condition))[0];
}
