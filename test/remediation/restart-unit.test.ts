// restart-unit orders against a real systemd (nspawn, test/systemd/nspawn.ts):
// the unit is restarted over D-Bus (a new InvocationID and MainPID) and the
// order succeeds; a unit that does not come back fails it; an id is carried
// out once, also across an agent restart; a bad order is refused with one line
// and nothing happens.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { silentLogger } from '../../common/log.js';
import { parseRemediationConfig, type RemediationConfig } from '../../agent/remediation/config.js';
import { Remediator } from '../../agent/remediation/remediator.js';
import { RemediationStore } from '../../agent/remediation/store.js';
import { UnitManager } from '../../agent/systemd/unit-manager.js';
import { describeWith } from '../support/components.js';
import { makeTempDir } from '../support/tmp.js';
import { bootSystemd, type BootedSystemd } from '../systemd/nspawn.js';
import { invocation } from './unit-invocation.js';

const UNITS = {
  'hp-web.service': '[Unit]\nDescription=the service remediation restarts\n[Service]\nExecStart=/bin/sleep infinity\n',
  // Starts only while /run/hp-flags/broken is absent: once it is there, a restart cannot bring it back.
  'hp-broken.service': "[Service]\nExecStartPre=/bin/sh -c 'test ! -e /run/hp-flags/broken'\nExecStart=/bin/sleep infinity\n",
  'hp-other.service': '[Service]\nExecStart=/bin/sleep infinity\n',
};

describeWith(['systemd-nspawn', 'root'], 'restart-unit orders on a real systemd', () => {
  let sd: BootedSystemd;
  let units: UnitManager;
  let tmp: ReturnType<typeof makeTempDir>;
  let flags: string;

  beforeAll(async () => {
    tmp = makeTempDir('hp-remed-');
    flags = join(tmp.dir, 'flags');
    mkdirSync(flags);
    sd = await bootSystemd({ units: UNITS, binds: [[flags, '/run/hp-flags']] });
    units = new UnitManager({ busAddress: sd.busAddress, jobTimeoutMs: 30_000 });
    for (const u of Object.keys(UNITS)) await units.start(u);
  }, 90_000);
  afterAll(async () => {
    units?.close();
    await sd?.stop();
    tmp?.remove();
  });

  /** One agent process's remediator on the state dir `state`. */
  function remediator(state: string, config: RemediationConfig = parseRemediationConfig({ restartTimeout: '20s' })): { r: Remediator; registry: Registry } {
    const registry = new Registry();
    const r = new Remediator({ store: new RemediationStore(join(tmp.dir, state, 'remediation.json')), config, units: () => units, report: () => undefined, log: silentLogger, registry });
    return { r, registry };
  }
  const order = (id: string, unit: string, over: Partial<{ action: string; condition: string }> = {}) => ({ id, action: 'restart-unit', unit, condition: 'WebDown', ...over });

  it('restarts the unit over D-Bus, waits until it is active, and reports succeeded', async () => {
    const before = await invocation(units, 'hp-web.service');
    const { r, registry } = remediator('a');
    r.receive(order('n1/1/1', 'hp-web.service'));
    expect(r.result()).toMatchObject({ id: 'n1/1/1', action: 'restart-unit', state: 'running', finished_unix_ms: 0 });
    await r.settled();
    const after = await invocation(units, 'hp-web.service');
    expect(after.invocationId).not.toBe(before.invocationId);
    expect(after.mainPid).not.toBe(before.mainPid);
    expect(after.activeState).toBe('active');
    expect(r.result()).toMatchObject({ id: 'n1/1/1', state: 'succeeded', message: `restarted hp-web.service: active (running), main pid ${before.mainPid} → ${after.mainPid}` });
    expect(await registry.getSingleMetricAsString('hostpilot_agent_remediation_actions_total')).toMatch(/action="restart-unit",result="succeeded"} 1/);
  });

  it('carries out an id once: re-sent, and after an agent restart, it is answered and not run again', async () => {
    const { r } = remediator('b');
    r.receive(order('n1/2/1', 'hp-web.service'));
    await r.settled();
    const once = await invocation(units, 'hp-web.service');
    const first = r.result();
    r.receive(order('n1/2/1', 'hp-web.service'));
    await r.settled();
    expect(r.result()).toEqual(first);
    // A new agent process on the same state dir.
    const { r: restarted } = remediator('b');
    restarted.receive(order('n1/2/1', 'hp-web.service'));
    await restarted.settled();
    expect(restarted.result()).toEqual(first);
    expect(await invocation(units, 'hp-web.service')).toEqual(once);
  });

  it('an agent that died during a restart does not restart again; it reports what the unit is now', async () => {
    const state = join(tmp.dir, 'c', 'remediation.json');
    new RemediationStore(state).put({ id: 'n1/3/1', action: 'restart-unit', unit: 'hp-web.service', condition: 'WebDown', state: 'running', message: 'restarting hp-web.service', startedUnixMs: 1, finishedUnixMs: 0, begun: true });
    const before = await invocation(units, 'hp-web.service');
    const { r } = remediator('c');
    r.attach({ current: { kind: 'idle' }, bootId: 'b1', trigger: async () => undefined, onTransition: () => () => undefined });
    await r.settled();
    expect(r.result()).toMatchObject({ id: 'n1/3/1', state: 'succeeded', message: 'the agent restarted during the restart of hp-web.service (not repeated); it is active (running) now' });
    expect(await invocation(units, 'hp-web.service')).toEqual(before);
  });

  it('an order saved but not begun when the agent stopped is carried out after the restart, once', async () => {
    const state = join(tmp.dir, 'c2', 'remediation.json');
    new RemediationStore(state).put({ id: 'n1/3/2', action: 'restart-unit', unit: 'hp-web.service', condition: 'WebDown', state: 'running', message: 'queued', startedUnixMs: 1, finishedUnixMs: 0 });
    const before = await invocation(units, 'hp-web.service');
    const { r } = remediator('c2');
    r.attach({ current: { kind: 'idle' }, bootId: 'b1', trigger: async () => undefined, onTransition: () => () => undefined });
    await r.settled();
    expect(r.result()).toMatchObject({ id: 'n1/3/2', state: 'succeeded', message: expect.stringMatching(/^restarted hp-web\.service/) });
    const after = await invocation(units, 'hp-web.service');
    expect(after.invocationId).not.toBe(before.invocationId);
    r.receive(order('n1/3/2', 'hp-web.service'));
    await r.settled();
    expect(await invocation(units, 'hp-web.service')).toEqual(after);
  });

  it('a unit that does not come back fails the order', async () => {
    expect((await units.getUnit('hp-broken.service')).activeState).toBe('active');
    writeFileSync(join(flags, 'broken'), '');
    const { r, registry } = remediator('d');
    r.receive(order('n1/4/1', 'hp-broken.service'));
    await r.settled();
    expect(r.result()).toMatchObject({ state: 'failed', message: expect.stringMatching(/^restart hp-broken\.service: restart job .* finished with result "failed"; now failed \(failed\), result exit-code$/) });
    expect(await registry.getSingleMetricAsString('hostpilot_agent_remediation_actions_total')).toMatch(/action="restart-unit",result="failed"} 1/);
  });

  it('a unit systemd does not know fails the order, naming it', async () => {
    const { r } = remediator('e');
    r.receive(order('n1/5/1', 'hp-nope.service'));
    await r.settled();
    expect(r.result()).toMatchObject({ state: 'failed', message: 'restart hp-nope.service: unit hp-nope.service not found' });
  });

  it.each([
    ['a bad unit name', order('g/1', '../../etc/passwd'), 'order refused: unit: "../../etc/passwd" is not a unit name (letters, digits, ":-_.\\@", ending in .service/.socket/.target/...)'],
    ['an unknown action', order('g/2', '', { action: 'format-disk' }), 'order refused: action: "format-disk" is not one of restart-unit, reboot, cordon'],
    ['an oversized unit name', order('g/3', `${'a'.repeat(5000)}.service`), `order refused: unit: "${'a'.repeat(80)}" is not a unit name (letters, digits, ":-_.\\@", ending in .service/.socket/.target/...)`],
    ['an oversized id', order('x'.repeat(600), 'hp-other.service'), 'order refused: id: is 600 characters, more than 512'],
    ['an oversized condition', order('g/5', 'hp-other.service', { condition: 'C'.repeat(300) }), `order refused: condition: "${'C'.repeat(40)}" is not a condition type (a letter, then letters, digits, "_", "-", "."; at most 256)`],
    ['a unit for another action', order('g/6', 'hp-other.service', { action: 'reboot' }), 'order refused: unit: is only for restart-unit, not reboot'],
    ['an empty id', order('', 'hp-other.service'), 'order refused: id: must not be empty'],
  ])('refuses %s with one line, and does nothing', async (_what, bad, message) => {
    const before = await invocation(units, 'hp-other.service');
    const { r, registry } = remediator(`g-${_what.replace(/\W/g, '')}`);
    r.receive(bad);
    await r.settled();
    expect(r.result()).toMatchObject({ state: 'failed', message });
    expect(r.result()!.message).not.toContain('\n');
    expect(await invocation(units, 'hp-other.service')).toEqual(before);
    expect(await registry.getSingleMetricAsString('hostpilot_agent_remediation_actions_total')).toMatch(/result="failed"} 1/);
  });

  it('a unit outside agent.json remediation.units is refused, and not restarted', async () => {
    const before = await invocation(units, 'hp-other.service');
    const { r } = remediator('h', parseRemediationConfig({ units: ['hp-web.service'] }));
    r.receive(order('n1/6/1', 'hp-other.service'));
    await r.settled();
    expect(r.result()).toMatchObject({ state: 'failed', message: 'order refused: unit: hp-other.service is not one this node lets remediation restart (agent.json remediation.units: hp-web.service)' });
    expect(await invocation(units, 'hp-other.service')).toEqual(before);
  });
});
