import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SingleLeader } from '../../coordinator/leader/single.js';
import { registerLeaderMetrics } from '../../coordinator/leader/metrics.js';
import { describeWith } from '../support/components.js';
import { promtoolCheck } from '../support/promtool.js';

async function sample(registry: Registry): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const metric of await registry.getMetricsAsJSON()) out[metric.name] = metric.values[0]?.value ?? NaN;
  return out;
}

describe('leader metrics', () => {
  it('follow the election', async () => {
    const registry = new Registry();
    const election = new SingleLeader('c1');
    const unsubscribe = registerLeaderMetrics(election, registry);
    expect(await sample(registry)).toEqual({ hostpilot_leader_elected: 0, hostpilot_leader_transitions_total: 0 });
    await election.campaign();
    expect(await sample(registry)).toEqual({ hostpilot_leader_elected: 1, hostpilot_leader_transitions_total: 1 });
    await election.resign();
    expect(await sample(registry)).toEqual({ hostpilot_leader_elected: 0, hostpilot_leader_transitions_total: 2 });
    unsubscribe();
    await election.campaign();
    expect(await sample(registry)).toEqual({ hostpilot_leader_elected: 0, hostpilot_leader_transitions_total: 2 });
  });
});

describeWith(['promtool'], 'leader metrics exposition', () => {
  it('passes promtool check metrics', async () => {
    const registry = new Registry();
    registerLeaderMetrics(new SingleLeader('c1'), registry);
    expect(await promtoolCheck(await registry.metrics())).toBe('');
  });
});
