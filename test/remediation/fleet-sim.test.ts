// Remediation in the fleet simulator (bench/sim/remediation-sim.ts): the real
// coordinator parts on SQLite with simulated agents and clock. The storm guard
// holds a pool with 40 % unhealthy; 2 of 100 are repaired, never more at once
// than the budget; a rollout and remediation in one pool never exceed its
// maxUnavailable together; a coordinator killed at each step of the ladder
// resumes it without repeating or losing a step.
import { afterEach, describe, expect, it } from 'vitest';
import { RemediationSim, nodeIds, policyDocument } from '../../bench/sim/remediation-sim.js';
import { parseRolloutSpec } from '../../common/api/rollout-spec.js';
import type { NodeRemediation } from '../../coordinator/remediation/types.js';
import { makeTempDir } from '../support/tmp.js';

const T0 = Date.UTC(2026, 0, 7, 12, 0);
const MIN = 60_000;
const LADDER = [{ action: 'restart-unit', unit: 'kubelet.service', timeout: '5m' }, { action: 'reboot', timeout: '20m' }, { action: 'reprovision' }];

function policy(over: Record<string, unknown> = {}) {
  return policyDocument('workers', { selector: { pool: ['workers'] }, conditions: [{ type: 'KernelDeadlock', for: '5m' }], steps: LADDER, maxUnhealthy: '20%', maxUnavailable: 1, ...over });
}

async function metric(sim: RemediationSim, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const m = sim.coordinator.registry.getSingleMetric(name);
  return (await m?.get())?.values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value;
}

/** Per pool, nodes in a disruptive remediation step plus nodes a rollout is moving, from the store. */
async function disrupted(sim: RemediationSim): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  const add = (node: string) => {
    const pool = sim.agents.get(node)!.pool;
    out.set(pool, (out.get(pool) ?? new Set()).add(node));
  };
  for (const { value } of await sim.coordinator.store.list<NodeRemediation>('remediations/')) {
    if (value.active && (value.active.action === 'reboot' || value.active.action === 'reprovision')) add(value.node);
  }
  for (const id of (await sim.coordinator.rollouts.moving()).keys()) add(id);
  return out;
}

let sim: RemediationSim | undefined;
let tmp: { dir: string; remove(): void } | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
  tmp?.remove();
  tmp = undefined;
});

describe('remediation storm guard', () => {
  it('40 % of a pool unhealthy at once: nobody is remediated, the pool is held and it says so', async () => {
    sim = await RemediationSim.open({ storePath: ':memory:', pools: { workers: nodeIds('w', 100), other: nodeIds('o', 10) }, slots: 5, rebootMs: 2 * MIN, startAt: T0 });
    await sim.apply([policy(), policyDocument('other', { selector: { pool: ['other'] }, conditions: [{ type: 'KernelDeadlock', for: '5m' }], steps: LADDER })]);
    const failing = nodeIds('w', 40);
    for (const id of failing) sim.fail(id, 'KernelDeadlock', { by: 'reboot' });
    // A node of another pool is not held by this pool's storm.
    sim.fail('o-003', 'KernelDeadlock', { by: 'restart', unit: 'kubelet.service' });
    for (let i = 0; i < 60; i++) await sim.step(MIN);
    expect(sim.executed.map((e) => e.node)).toEqual(['o-003']);
    expect(sim.unhealthy()).toEqual(failing);
    expect((await sim.coordinator.remediation.pools()).get('workers')).toMatchObject({ storm: true, paused: false });
    expect(await metric(sim, 'hostpilot_remediation_storm', { pool: 'workers' })).toBe(1);
    expect(await metric(sim, 'hostpilot_remediation_storm', { pool: 'other' })).toBe(0);
    expect(sim.events.filter((e) => e.event === 'remediation.storm').map((e) => e.pool)).toEqual(['workers']);
    const listed = await sim.coordinator.remediation.list();
    expect(listed.filter((e) => e.pool === 'workers')).toHaveLength(40);
    expect(listed.find((e) => e.node === 'w-000')!.message).toMatch(/^storm: 40 of 100 nodes unhealthy at once/);

    // The cause goes away for most: the storm is over and the two left are repaired.
    for (const id of failing.slice(2)) sim.agents.get(id)!.fault = undefined;
    expect(await sim.until(() => sim!.unhealthy().length === 0, MIN, 120)).toBe(true);
    expect((await sim.coordinator.remediation.pools()).get('workers')?.storm).toBe(false);
    expect(sim.events.some((e) => e.event === 'remediation.stormCleared' && e.pool === 'workers')).toBe(true);
    expect(new Set(sim.executed.map((e) => e.node))).toEqual(new Set(['o-003', 'w-000', 'w-001']));
  });

  it('2 of 100 unhealthy: exactly those are repaired, never more at once than the budget', async () => {
    sim = await RemediationSim.open({ storePath: ':memory:', pools: { workers: nodeIds('w', 100) }, slots: 10, rebootMs: 10 * MIN, startAt: T0 });
    // Straight to a reboot, so both need the budget (1) at once.
    await sim.apply([policy({ steps: [{ action: 'reboot', timeout: '30m' }, { action: 'reprovision' }] })]);
    sim.fail('w-017', 'KernelDeadlock', { by: 'reboot' });
    sim.fail('w-063', 'KernelDeadlock', { by: 'reboot' });
    let most = 0;
    const done = await sim.until(
      async () => {
        most = Math.max(most, (await disrupted(sim!)).get('workers')?.size ?? 0);
        return sim!.unhealthy().length === 0 && (await sim!.coordinator.remediation.list()).length === 0;
      },
      MIN,
      200,
    );
    expect(done).toBe(true);
    expect(sim.executed.map((e) => `${e.node} ${e.action}`).sort()).toEqual(['w-017 reboot', 'w-063 reboot']);
    expect(most).toBe(1);
    expect(sim.maxRebooting.get('workers')).toBe(1);
    expect(await metric(sim, 'hostpilot_remediations_total', { action: 'reboot', result: 'repaired' })).toBe(2);
    expect(await metric(sim, 'hostpilot_remediation_active', { pool: 'workers' })).toBe(0);
    expect((await sim.coordinator.remediation.history('w-017')).history.map((h) => h.event)).toEqual(['started', 'step', 'repaired']);
  });

  it('a paused pool starts nothing until it is resumed', async () => {
    sim = await RemediationSim.open({ storePath: ':memory:', pools: { workers: nodeIds('w', 10) }, slots: 1, rebootMs: MIN, startAt: T0 });
    await sim.apply([policy()]);
    await sim.coordinator.remediation.pause('workers');
    sim.fail('w-004', 'KernelDeadlock', { by: 'restart', unit: 'kubelet.service' });
    for (let i = 0; i < 30; i++) await sim.step(MIN);
    expect(sim.executed).toEqual([]);
    expect((await sim.coordinator.remediation.list())[0]!.message).toBe('remediation paused in pool workers');
    await sim.coordinator.remediation.resume('workers');
    expect(await sim.until(() => sim!.unhealthy().length === 0, MIN, 30)).toBe(true);
    expect(sim.executed.map((e) => e.action)).toEqual(['restart-unit']);
    expect(sim.events.map((e) => e.event)).toEqual(['remediation.paused', 'remediation.resumed', 'remediation.started', 'remediation.repaired']);
  });
});

describe('remediation and rollouts share the budget', () => {
  it('a rollout and remediation in the same pool never exceed maxUnavailable together', async () => {
    sim = await RemediationSim.open({ storePath: ':memory:', pools: { workers: nodeIds('w', 20) }, slots: 10, rebootMs: 10 * MIN, startAt: T0 });
    await sim.apply([policy({ steps: [{ action: 'reboot', timeout: '30m' }, { action: 'reprovision' }], maxUnavailable: 2 })]);
    await sim.coordinator.rollouts.create(parseRolloutSpec({ id: 'r1', target: '2', strategy: 'size:20', max_unavailable: '2', pool_label: 'pool' }));
    await sim.step(MIN);
    // The rollout has taken the whole budget; then three nodes it has not reached go bad.
    expect((await disrupted(sim)).get('workers')?.size).toBe(2);
    for (const id of ['w-015', 'w-016', 'w-019']) sim.fail(id, 'KernelDeadlock', { by: 'reboot' });
    let most = 0;
    let waitedForBudget = false;
    const done = await sim.until(
      async () => {
        most = Math.max(most, (await disrupted(sim!)).get('workers')?.size ?? 0);
        waitedForBudget ||= (await sim!.coordinator.remediation.list()).some((e) => /waits for the pool's disruption budget/.test(e.message));
        const r = await sim!.coordinator.rollouts.get('r1');
        return r.phase === 'completed' && sim!.unhealthy().length === 0;
      },
      MIN,
      400,
    );
    expect(done).toBe(true);
    expect(most).toBe(2);
    expect(sim.maxRebooting.get('workers')).toBe(2);
    expect(waitedForBudget).toBe(true);
    expect(sim.executed.map((e) => e.node).sort()).toEqual(['w-015', 'w-016', 'w-019']);
    // The rollout's budget view names the remediation's node while it reboots.
    expect([...sim.agents.values()].every((a) => a.version === '2')).toBe(true);
  });
});

describe('remediation across coordinator restarts', () => {
  // The ladder for a fault nothing repairs: restart-unit, reboot, then cordon (reprovision).
  const EXPECTED = ['w-002/1/0 restart-unit', 'w-002/1/1 reboot', 'w-002/1/2 cordon'];

  it.each([
    [1, false],
    [1, true],
    [2, false],
    [2, true],
    [3, false],
    [3, true],
  ])('killed after order %i (undelivered: %s): no step repeated, none lost', async (killAfter, undelivered) => {
    tmp = makeTempDir('hostpilot-remediation-');
    sim = await RemediationSim.open({ storePath: `${tmp.dir}/coordinator.db`, pools: { workers: nodeIds('w', 5) }, slots: 1, rebootMs: 3 * MIN, startAt: T0 });
    await sim.apply([policy()]);
    sim.fail('w-002', 'KernelDeadlock', { by: 'nothing' });
    const ordered = async () => (await sim!.coordinator.store.get<NodeRemediation>('remediations/w-002'))?.active?.attempts ?? 0;
    expect(await sim.until(async () => (await ordered()) >= killAfter, MIN, 200)).toBe(true);
    // The order is in the store; with `undelivered` the agent never got it (the crash came between write and send).
    if (undelivered) for (const a of sim.agents.values()) a.loseUndelivered();
    await sim.restart();
    expect(await sim.until(() => sim!.agents.get('w-002')!.cordoned, MIN, 200)).toBe(true);
    for (let i = 0; i < 60; i++) await sim.step(MIN);
    expect(sim.executed.map((e) => `${e.id} ${e.action}`)).toEqual(EXPECTED);
    expect(sim.maxRebooting.get('workers')).toBe(1);
    const r = await sim.coordinator.remediation.history('w-002');
    expect(r.needsReprovision?.condition).toBe('KernelDeadlock');
    expect(r.reboots).toHaveLength(1);
    expect(r.history.filter((h) => h.event === 'step' || h.event === 'needs-reprovision').map((h) => h.orderId)).toEqual(['w-002/1/0', 'w-002/1/1', 'w-002/1/2']);
    expect((await sim.coordinator.remediation.list()).find((e) => e.node === 'w-002')).toMatchObject({ step: 'reprovision', needsReprovision: true });
  });
});
