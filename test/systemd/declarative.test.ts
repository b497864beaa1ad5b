import { lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANAGED_MARKER, convergeUnits, managedContent, planUnits, type ObservedUnit } from '../../agent/systemd/declarative.js';
import { UnitManager } from '../../agent/systemd/unit-manager.js';
import { parseUnitsConfig } from '../../agent/systemd/units-config.js';
import { InvalidArgumentError } from '../../common/errors.js';
import { describeWith } from '../support/components.js';
import { bootSystemd, type BootedSystemd } from './nspawn.js';

const SLEEPER = '[Unit]\nDescription=sleeper\n[Service]\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=multi-user.target\n';

describe('parseUnitsConfig', () => {
  it('validates and names the field of every error', () => {
    expect(parseUnitsConfig(undefined)).toEqual({ root: '/etc/systemd/system', manage: [], watch: [] });
    const cfg = parseUnitsConfig({ root: '/x/y/', manage: [{ name: 'a.service', content: 'x', dropIns: { '10-a.conf': 'y\n' }, enabled: true }], watch: ['kubelet.service', 'kubelet.service'] });
    expect(cfg).toEqual({ root: '/x/y', manage: [{ name: 'a.service', content: 'x\n', dropIns: { '10-a.conf': 'y\n' }, enabled: true }], watch: ['kubelet.service'] });
    const bad: Array<[unknown, string]> = [
      [{ manage: [{ name: '../../etc/passwd' }] }, 'units.manage[0].name'],
      [{ manage: [{ name: 'a.service', dropIns: { '../x.conf': '' } }] }, 'units.manage[0].dropIns.../x.conf'],
      [{ manage: [{ name: 'a.service', dropins: {} }] }, 'units.manage[0].dropins'],
      [{ manage: [{ name: 'a.service', running: 'yes' }] }, 'units.manage[0].running'],
      [{ manage: [{ name: 'a.service' }, { name: 'a.service' }] }, 'units.manage[1].name'],
      [{ root: 'relative' }, 'units.root'],
      [{ watch: ['kubelet'] }, 'units.watch[0]'],
      [{ mange: [] }, 'units.mange'],
    ];
    for (const [section, field] of bad) {
      let err: unknown;
      try {
        parseUnitsConfig(section);
      } catch (e) {
        err = e;
      }
      expect(err, field).toBeInstanceOf(InvalidArgumentError);
      expect((err as InvalidArgumentError).field).toBe(field);
    }
  });
});

describe('planUnits', () => {
  const cfg = parseUnitsConfig({ root: '/r', manage: [{ name: 'a.service', content: 'A', dropIns: { '10.conf': 'D' }, enabled: true, running: true }] });
  const synced: ObservedUnit = { name: 'a.service', unitFile: managedContent('A\n'), dropIns: { '10.conf': managedContent('D\n') }, fileState: 'enabled', activeState: 'active' };

  it('is empty when everything matches', () => {
    expect(planUnits(cfg, new Map([['a.service', synced]]))).toEqual([]);
  });

  it('writes, reloads, enables and starts a unit that is not there, in that order', () => {
    const steps = planUnits(cfg, new Map());
    expect(steps.map((s) => s.kind)).toEqual(['write', 'write', 'daemon-reload', 'enable', 'daemon-reload', 'start']);
    expect(steps[0]).toMatchObject({ path: '/r/a.service', content: `${MANAGED_MARKER}\nA\n` });
    expect(steps[1]).toMatchObject({ path: '/r/a.service.d/10.conf' });
  });

  it('restarts a running unit whose drop-in changed, removes only its own stale drop-ins', () => {
    const obs = { ...synced, dropIns: { '10.conf': managedContent('old\n'), '20-stale.conf': managedContent('x\n'), '30-admin.conf': 'by hand\n' } };
    const steps = planUnits(cfg, new Map([['a.service', obs]]));
    expect(steps.map((s) => `${s.kind}${'path' in s ? ' ' + s.path : ''}`)).toEqual([
      'write /r/a.service.d/10.conf',
      'remove /r/a.service.d/20-stale.conf',
      'daemon-reload',
      'restart',
    ]);
  });

  it('stops and disables, and reports what it cannot do', () => {
    const c = parseUnitsConfig({ manage: [{ name: 'b.service', enabled: false, running: false }, { name: 'c.service', enabled: true }] });
    const steps = planUnits(
      c,
      new Map<string, ObservedUnit>([
        ['b.service', { name: 'b.service', unitFile: null, dropIns: {}, fileState: 'enabled', activeState: 'active' }],
        ['c.service', { name: 'c.service', unitFile: null, dropIns: {}, fileState: 'static', activeState: 'inactive' }],
      ]),
    );
    expect(steps.map((s) => `${s.kind} ${'unit' in s ? s.unit : ''}`)).toEqual(['disable b.service', 'cannot c.service', 'daemon-reload ', 'stop b.service']);
  });
});

describeWith(['systemd-nspawn', 'root'], 'declarative units against a real systemd', () => {
  let sd: BootedSystemd;
  let units: UnitManager;

  beforeAll(async () => {
    sd = await bootSystemd();
    units = new UnitManager({ busAddress: sd.busAddress, jobTimeoutMs: 30_000 });
  });
  afterAll(async () => {
    units?.close();
    await sd?.stop();
  });

  async function prop(unit: string, iface: string, name: string): Promise<unknown> {
    const bus = await units.bus();
    const [v] = await bus.call({
      destination: 'org.freedesktop.systemd1',
      path: UnitManager.unitPath(unit),
      interface: 'org.freedesktop.DBus.Properties',
      member: 'Get',
      signature: 'ss',
      body: [iface, name],
    });
    return (v as { value: unknown }).value;
  }

  it('converges, is idempotent, restarts only the unit whose drop-in changed, and leaves other units alone', async () => {
    // Files hostpilot was not told about: an unmanaged unit and a hand-made drop-in of a managed one.
    writeFileSync(join(sd.etcUnitsDir, 'hp-unmanaged.service'), SLEEPER);
    mkdirSync(join(sd.etcUnitsDir, 'hp-a.service.d'));
    writeFileSync(join(sd.etcUnitsDir, 'hp-a.service.d', '50-admin.conf'), '[Unit]\nDocumentation=man:hand-made(1)\n');
    const config = (aEnv: string) =>
      parseUnitsConfig({
        root: sd.etcUnitsDir,
        manage: [
          { name: 'hp-a.service', content: SLEEPER, dropIns: { '10-env.conf': `[Service]\nEnvironment=HP_VALUE=${aEnv}\n` }, enabled: true, running: true },
          { name: 'hp-b.service', content: SLEEPER, enabled: true, running: true },
        ],
      });

    const first = await convergeUnits(config('one'), units);
    expect(first.report?.ok).toBe(true);
    expect(first.plan.map((s) => s.kind)).toEqual(['write', 'write', 'write', 'daemon-reload', 'enable', 'enable', 'daemon-reload', 'start', 'start']);
    expect(await units.getUnit('hp-a.service')).toMatchObject({ activeState: 'active', unitFileState: 'enabled' });
    expect(await units.getUnit('hp-b.service')).toMatchObject({ activeState: 'active', unitFileState: 'enabled' });
    expect(await prop('hp-a.service', 'org.freedesktop.systemd1.Service', 'Environment')).toEqual(['HP_VALUE=one']);
    expect(lstatSync(join(sd.etcUnitsDir, 'multi-user.target.wants', 'hp-a.service')).isSymbolicLink()).toBe(true);

    // Idempotent: the second run finds nothing to do and does nothing.
    const second = await convergeUnits(config('one'), units);
    expect(second.plan).toEqual([]);
    expect(second.report).toMatchObject({ changed: false, ok: true, steps: [] });

    // A drop-in change: daemon-reload, then a restart of that unit only.
    const aPid = (await units.getUnit('hp-a.service')).mainPid;
    const bPid = (await units.getUnit('hp-b.service')).mainPid;
    const third = await convergeUnits(config('two'), units);
    expect(third.plan.map((s) => `${s.kind}${'unit' in s ? ' ' + s.unit : ''}`)).toEqual(['write hp-a.service', 'daemon-reload', 'restart hp-a.service']);
    expect(third.report?.ok).toBe(true);
    expect(await prop('hp-a.service', 'org.freedesktop.systemd1.Service', 'Environment')).toEqual(['HP_VALUE=two']);
    expect(await prop('hp-a.service', 'org.freedesktop.systemd1.Unit', 'NeedDaemonReload')).toBe(false);
    expect((await units.getUnit('hp-a.service')).mainPid).not.toBe(aPid);
    expect((await units.getUnit('hp-b.service')).mainPid).toBe(bPid);

    // Untouched: the unmanaged unit and the hand-made drop-in.
    expect(readFileSync(join(sd.etcUnitsDir, 'hp-unmanaged.service'), 'utf8')).toBe(SLEEPER);
    expect(readFileSync(join(sd.etcUnitsDir, 'hp-a.service.d', '50-admin.conf'), 'utf8')).toContain('hand-made');
    expect((await units.getUnit('hp-unmanaged.service')).activeState).toBe('inactive');

    // Drift made by hand is reported (dry run changes nothing), then converged back.
    writeFileSync(join(sd.etcUnitsDir, 'hp-b.service'), SLEEPER.replace('sleeper', 'edited'));
    await units.stop('hp-a.service');
    const dry = await convergeUnits(config('two'), units, { dryRun: true });
    expect(dry.report).toBeUndefined();
    expect(dry.plan.map((s) => `${s.kind}${'unit' in s ? ' ' + s.unit : ''}`)).toEqual(['write hp-b.service', 'daemon-reload', 'start hp-a.service', 'restart hp-b.service']);
    expect((await units.getUnit('hp-a.service')).activeState).toBe('inactive');
    const fixed = await convergeUnits(config('two'), units);
    expect(fixed.report?.ok).toBe(true);
    expect((await convergeUnits(config('two'), units)).plan).toEqual([]);
  });
});
