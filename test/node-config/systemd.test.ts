// Node configs against a real systemd (nspawn, test/systemd/nspawn.ts): a file,
// a unit with a drop-in and a sysctl applied without a reboot, the unit
// restarted when its drop-in changes; a unit disabled by hand is drift (and
// repaired); masking; a unit that fails to start fails the node's health.
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONDITION_APPLY, CONDITION_DRIFT } from '../../agent/node-config/agent.js';
import { ConditionsHealth } from '../../agent/reboot/health.js';
import { UnitManager } from '../../agent/systemd/unit-manager.js';
import type { ManagedUnit } from '../../common/api/node-config.js';
import { describeWith } from '../support/components.js';
import { makeTempDir } from '../support/tmp.js';
import { bootSystemd, type BootedSystemd } from '../systemd/nspawn.js';
import { desired, fakeProcSys, metricValue, nodeConfigAgent, rendered } from './support.js';

const APP = '[Unit]\nDescription=hp app\n[Service]\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=multi-user.target\n';
const FAILING = '[Unit]\nDescription=fails\n[Service]\nType=oneshot\nExecStart=/bin/false\n';

describeWith(['systemd-nspawn', 'root', 'getent'], 'node config against a real systemd', () => {
  let sd: BootedSystemd;
  let units: UnitManager;
  let tmp: { dir: string; remove: () => void };
  let ctx: ReturnType<typeof nodeConfigAgent>;
  let root: string;

  beforeAll(async () => {
    sd = await bootSystemd();
    units = new UnitManager({ busAddress: sd.busAddress, jobTimeoutMs: 30_000 });
    tmp = makeTempDir('hp-nodecfg-sd-');
    root = join(tmp.dir, 'root');
    fakeProcSys(root, { 'net.core.somaxconn': '4096' });
    ctx = nodeConfigAgent({ root, stateDir: join(tmp.dir, 'state'), unitDir: sd.etcUnitsDir, busAddress: sd.busAddress });
  });
  afterAll(async () => {
    ctx?.close();
    units?.close();
    await sd?.stop();
    tmp?.remove();
  });

  const app = (env: string): ManagedUnit => ({ name: 'hp-app.service', contents: APP, dropIns: [{ name: '10-env.conf', contents: `[Service]\nEnvironment=HP_VALUE=${env}\n` }], enabled: true, active: true });
  const config = (env: string, extra: Partial<Parameters<typeof rendered>[0]> = {}) =>
    rendered({ files: [{ path: '/etc/hp-app/app.conf', mode: 0o640, contents: `value=${env}\n` }], units: [app(env)], sysctls: { 'net.core.somaxconn': '1024' }, ...extra });

  async function environment(unit: string): Promise<unknown> {
    const bus = await units.bus();
    const [v] = await bus.call({ destination: 'org.freedesktop.systemd1', path: UnitManager.unitPath(unit), interface: 'org.freedesktop.DBus.Properties', member: 'Get', signature: 'ss', body: ['org.freedesktop.systemd1.Service', 'Environment'] });
    return (v as { value: unknown }).value;
  }
  const condition = (type: string) => ctx.agent.conditions().find((c) => c.type === type)!;

  it('applies a file, a unit with a drop-in and a sysctl without a reboot, and restarts the unit when its drop-in changes', async () => {
    const v1 = desired(config('one'), 'restart-units');
    await ctx.agent.setDesired(v1);
    expect(condition(CONDITION_APPLY).status).toBe('False');
    expect(ctx.agent.appliedHash).toBe(v1.hash);
    expect(ctx.agent.rebootPending()).toBe(false);
    expect(readFileSync(join(root, 'etc/hp-app/app.conf'), 'utf8')).toBe('value=one\n');
    expect(readFileSync(join(root, 'proc/sys/net/core/somaxconn'), 'utf8').trim()).toBe('1024');
    expect(await units.getUnit('hp-app.service')).toMatchObject({ activeState: 'active', unitFileState: 'enabled' });
    expect(await environment('hp-app.service')).toEqual(['HP_VALUE=one']);
    const pid = (await units.getUnit('hp-app.service')).mainPid;

    // The same unit with a new drop-in, rolled out as restart-units: reloaded and restarted.
    const v2 = desired(config('two'), 'restart-units');
    await ctx.agent.setDesired(v2);
    expect(ctx.agent.appliedHash).toBe(v2.hash);
    expect(await environment('hp-app.service')).toEqual(['HP_VALUE=two']);
    expect((await units.getUnit('hp-app.service')).mainPid).not.toBe(pid);
    expect(condition(CONDITION_DRIFT).status).toBe('False');

    // Disruption none: the files change, the running unit is not restarted.
    const pid2 = (await units.getUnit('hp-app.service')).mainPid;
    await ctx.agent.setDesired(desired(config('three'), 'none'));
    expect(readFileSync(join(sd.etcUnitsDir, 'hp-app.service.d/10-env.conf'), 'utf8')).toContain('HP_VALUE=three');
    expect((await units.getUnit('hp-app.service')).mainPid).toBe(pid2);
  });

  it('reports a unit disabled and stopped by hand as drift, and repairs it under driftPolicy repair', async () => {
    await ctx.agent.setDesired(desired(config('two'), 'restart-units'));
    await units.disable(['hp-app.service']);
    await units.stop('hp-app.service');
    await ctx.agent.check();
    const drift = condition(CONDITION_DRIFT);
    expect(drift.status).toBe('True');
    expect(drift.message).toMatch(/unit hp-app\.service: enable hp-app\.service/);
    expect(drift.message).toMatch(/unit hp-app\.service: start hp-app\.service/);
    expect(await metricValue(ctx.registry, 'hostpilot_config_drift', { kind: 'unit' })).toBe(2);
    expect((await units.getUnit('hp-app.service')).activeState).toBe('inactive');

    await ctx.agent.setDesired(desired(config('two', { driftPolicy: 'repair' }), 'restart-units'));
    await units.disable(['hp-app.service']);
    await ctx.agent.check();
    expect(await units.getUnit('hp-app.service')).toMatchObject({ activeState: 'active', unitFileState: 'enabled' });
    expect(condition(CONDITION_DRIFT).status).toBe('False');
    expect(await metricValue(ctx.registry, 'hostpilot_config_repairs_total', { kind: 'unit' })).toBeGreaterThanOrEqual(1);
  });

  it('masks a unit the config masks, and unmasks it when the config says so', async () => {
    const masked = { name: 'hp-debug.service', masked: true };
    await ctx.agent.setDesired(desired(config('two', { units: [app('two'), masked] }), 'restart-units'));
    expect(await units.unitFileState('hp-debug.service')).toBe('masked');
    expect(readlinkSync(join(sd.etcUnitsDir, 'hp-debug.service'))).toBe('/dev/null');
    await ctx.agent.setDesired(desired(config('two', { units: [app('two'), { name: 'hp-debug.service', masked: false }] }), 'restart-units'));
    expect(existsSync(join(sd.etcUnitsDir, 'hp-debug.service'))).toBe(false);
  });

  it('fails the node health when a unit of the config fails to start', async () => {
    const failing: ManagedUnit = { name: 'hp-fails.service', contents: FAILING, active: true };
    await ctx.agent.setDesired(desired(config('two', { units: [app('two'), failing] }), 'restart-units'));
    const apply = condition(CONDITION_APPLY);
    expect(apply).toMatchObject({ status: 'True', reason: 'ApplyFailed' });
    expect(apply.message).toMatch(/start hp-fails\.service.*result "failed"/);
    // The reboot flow's and the coordinator's health: any problem condition fails it.
    const problems = await new ConditionsHealth(() => ctx.agent.conditions()).problems();
    expect(problems.some((p) => p.startsWith('ConfigApplyFailed: ApplyFailed'))).toBe(true);
    // Later checks keep it failing while systemd shows the unit failed.
    await ctx.agent.check();
    expect(condition(CONDITION_APPLY).status).toBe('True');
  });
});
