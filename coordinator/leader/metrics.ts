// Whether this replica leads (runs the rollout controller), for dashboards and
// alerts: across replicas, the sum of hostpilot_leader_elected should be 1.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { LeaderElection } from './election.js';

/** Follows the election into two metrics; returns the unsubscribe function. */
export function registerLeaderMetrics(election: LeaderElection, registry: Registry): () => void {
  const elected = new Gauge({
    name: 'hostpilot_leader_elected',
    help: '1 while this coordinator replica is the leader (runs the rollout controller), else 0.',
    registers: [registry],
  });
  const transitions = new Counter({
    name: 'hostpilot_leader_transitions_total',
    help: 'Times this coordinator replica became or stopped being the leader.',
    registers: [registry],
  });
  elected.set(election.isLeader ? 1 : 0);
  transitions.inc(0);
  return election.onChange((isLeader) => {
    elected.set(isLeader ? 1 : 0);
    transitions.inc();
  });
}
