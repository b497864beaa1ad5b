// The storm guard: when more of a pool is unhealthy at once than the policy
// allows, the cause is likely not the nodes (a bad config pushed everywhere, a
// network partition, a dependency down) and repairing them one by one would
// only add reboots to an outage. Pure. The limit counts like a budget: a
// count, or a percent rounded down, never below 1.
import type { MaxUnavailable } from '../../common/api/rollout-spec.js';
import { budgetFor } from '../rollout/planner.js';

export function isStorm(unhealthy: number, poolSize: number, maxUnhealthy: MaxUnavailable): boolean {
  return unhealthy > budgetFor(poolSize, maxUnhealthy);
}
