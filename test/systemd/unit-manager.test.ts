import { afterAll, beforeAll, expect, it } from 'vitest';
import { AccessDeniedError, JobFailedError, NoSuchUnitError } from '../../agent/systemd/errors.js';
import { UnitManager } from '../../agent/systemd/unit-manager.js';
import { InvalidArgumentError } from '../../common/errors.js';
import { describeWith } from '../support/components.js';
import { bootSystemd, type BootedSystemd } from './nspawn.js';

const UNITS = {
  'hp-sleep.service': '[Unit]\nDescription=hostpilot test sleeper\n[Service]\nExecStart=/bin/sleep infinity\n',
  'hp-reloadable.service': '[Service]\nExecStart=/bin/sleep infinity\nExecReload=/bin/true\n',
  'hp-fail.service': '[Service]\nType=oneshot\nExecStart=/bin/false\n',
  'hp-ondemand.service': '[Service]\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=multi-user.target\n',
};

describeWith(['systemd-nspawn', 'root'], 'UnitManager against a real systemd', () => {
  let sd: BootedSystemd;
  let units: UnitManager;

  beforeAll(async () => {
    sd = await bootSystemd({ units: UNITS });
    units = new UnitManager({ busAddress: sd.busAddress, jobTimeoutMs: 30_000 });
  });
  afterAll(async () => {
    units?.close();
    await sd?.stop();
  });

  it('starts, restarts and stops a real unit and reads its state', async () => {
    expect((await units.getUnit('hp-sleep.service')).activeState).toBe('inactive');
    const started = await units.start('hp-sleep.service');
    expect(started).toMatchObject({ unit: 'hp-sleep.service', action: 'start', result: 'done' });
    const running = await units.getUnit('hp-sleep.service');
    expect(running).toMatchObject({ activeState: 'active', subState: 'running', loadState: 'loaded', description: 'hostpilot test sleeper' });
    expect(running.mainPid).toBeGreaterThan(0);
    expect(running.since).toBeInstanceOf(Date);

    await units.restart('hp-sleep.service');
    const restarted = await units.getUnit('hp-sleep.service');
    expect(restarted.activeState).toBe('active');
    expect(restarted.mainPid).not.toBe(running.mainPid);

    const listed = await units.listUnits({ patterns: ['hp-*.service'], states: ['active'] });
    expect(listed.map((u) => u.name)).toEqual(['hp-sleep.service']);

    await units.stop('hp-sleep.service');
    expect(await units.getUnit('hp-sleep.service')).toMatchObject({ activeState: 'inactive', mainPid: 0 });
  });

  it('reloads and try-restarts', async () => {
    await units.start('hp-reloadable.service');
    await expect(units.reload('hp-reloadable.service')).resolves.toMatchObject({ result: 'done' });
    const before = (await units.getUnit('hp-reloadable.service')).mainPid;
    await units.tryRestart('hp-reloadable.service');
    expect((await units.getUnit('hp-reloadable.service')).mainPid).not.toBe(before);
    await units.stop('hp-reloadable.service');
    // try-restart of a stopped unit leaves it stopped.
    await units.tryRestart('hp-reloadable.service');
    expect((await units.getUnit('hp-reloadable.service')).activeState).toBe('inactive');
  });

  it('reports a failed job with its result, and the unit as failed', async () => {
    const err = await units.start('hp-fail.service').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JobFailedError);
    expect((err as JobFailedError).result).toBe('failed');
    expect(await units.getUnit('hp-fail.service')).toMatchObject({ activeState: 'failed', result: 'exit-code' });
    await units.resetFailed('hp-fail.service');
    expect((await units.getUnit('hp-fail.service')).activeState).toBe('inactive');
  });

  it('maps a missing unit to NoSuchUnitError and bad names to InvalidArgumentError', async () => {
    await expect(units.getUnit('hp-nothere.service')).rejects.toBeInstanceOf(NoSuchUnitError);
    await expect(units.start('hp-nothere.service')).rejects.toBeInstanceOf(NoSuchUnitError);
    await expect(units.start('../etc/passwd')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(units.listUnits({ patterns: ["x' or 1"] })).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('enables, disables, masks and unmasks unit files, and daemon-reloads', async () => {
    // First boot of an empty /etc applies the presets (Debian's: enable everything), so start from disabled.
    await units.disable(['hp-ondemand.service']);
    expect(await units.unitFileState('hp-ondemand.service')).toBe('disabled');
    // Units under /run/systemd/system are enabled with links under /etc.
    const enabled = await units.enable(['hp-ondemand.service']);
    expect(enabled.some((c) => c.type === 'symlink')).toBe(true);
    expect(await units.unitFileState('hp-ondemand.service')).toBe('enabled');
    await units.disable(['hp-ondemand.service']);
    expect(await units.unitFileState('hp-ondemand.service')).toBe('disabled');
    await units.mask(['hp-sleep.service']);
    await units.daemonReload();
    expect(await units.unitFileState('hp-sleep.service')).toMatch(/^masked/);
    const err = await units.start('hp-sleep.service').catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'failed_precondition' });
    expect(err).not.toBeInstanceOf(AccessDeniedError);
    await units.unmask(['hp-sleep.service']);
    await units.daemonReload();
    expect(await units.unitFileState('hp-sleep.service')).not.toMatch(/^masked/);
  });
});
