import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Condition } from '../../common/api/conditions.js';
import { UnitHealth, checkUnits, startUnitHealth, unitCondition } from '../../agent/systemd/health.js';
import { UnitManager, type UnitState } from '../../agent/systemd/unit-manager.js';
import type { UnitWatcher } from '../../agent/systemd/unit-watcher.js';
import { startSystemdArea } from '../../agent/systemd/service.js';
import { parseUnitsConfig } from '../../agent/systemd/units-config.js';
import { ProcessRunner } from '../../common/exec/runner.js';
import { describeWith } from '../support/components.js';
import { bootSystemd, eventually, type BootedSystemd } from './nspawn.js';

const state = (activeState: string, extra: Partial<UnitState> = {}): UnitState => ({
  name: 'k.service',
  description: '',
  loadState: 'loaded',
  activeState,
  subState: activeState === 'active' ? 'running' : 'dead',
  unitFileState: 'enabled',
  since: null,
  ...extra,
});

describe('unit conditions', () => {
  it('is a problem when failed or missing, and keeps its transition time while the status holds', () => {
    const t0 = new Date('2026-01-01T00:00:00Z');
    const t1 = new Date('2026-01-01T00:01:00Z');
    const ok = unitCondition({ name: 'k.service', found: true, state: state('active') }, undefined, t0);
    expect(ok).toEqual({ type: 'UnitFailed:k.service', status: 'False', reason: 'UnitNotFailed', message: 'k.service is active (running)', lastTransitionTime: t0.getTime() });
    expect(unitCondition({ name: 'k.service', found: true, state: state('inactive') }, ok, t1).lastTransitionTime).toBe(t0.getTime());
    const failed = unitCondition({ name: 'k.service', found: true, state: state('failed', { result: 'exit-code' }) }, ok, t1);
    expect(failed).toMatchObject({ status: 'True', reason: 'UnitFailed', message: 'k.service failed (result: exit-code)', lastTransitionTime: t1.getTime() });
    expect(unitCondition({ name: 'k.service', found: false }, failed, t0)).toMatchObject({ status: 'True', reason: 'UnitNotFound', lastTransitionTime: t1.getTime() });
  });

  it('exports unit activity and restarts with labels initialised to zero', async () => {
    const registry = new Registry();
    const health = new UnitHealth({ registry, units: ['k.service', 'idle.service'] });
    let text = await registry.metrics();
    expect(text).toContain('hostpilot_unit_active{unit="idle.service"} 0');
    expect(text).toContain('hostpilot_unit_restarts_total{unit="idle.service"} 0');
    health.observe({ name: 'k.service', found: true, state: state('active', { restarts: 2 }) });
    health.observe({ name: 'k.service', found: true, state: state('active', { restarts: 3 }) });
    // A lower count is a new baseline (systemd re-executed), never a decrement.
    health.observe({ name: 'k.service', found: true, state: state('active', { restarts: 1 }) });
    text = await registry.metrics();
    expect(text).toContain('hostpilot_unit_active{unit="k.service"} 1');
    expect(text).toContain('hostpilot_unit_restarts_total{unit="k.service"} 4');
  });
});

describeWith(['promtool'], 'unit metrics exposition', () => {
  it('passes promtool check metrics', async () => {
    const registry = new Registry();
    const health = new UnitHealth({ registry, units: ['k.service'] });
    health.observe({ name: 'k.service', found: true, state: state('failed', { restarts: 1 }) });
    const r = await new ProcessRunner().run({ argv: ['promtool', 'check', 'metrics'], input: await registry.metrics(), okExitCodes: [0, 1, 3] });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
  });
});

describeWith(['systemd-nspawn', 'root'], 'unit health against a real systemd', () => {
  let sd: BootedSystemd;
  let units: UnitManager;
  let watcher: UnitWatcher | undefined;

  beforeAll(async () => {
    sd = await bootSystemd({
      units: {
        // Fails, is restarted twice by systemd, then hits its start limit and stays failed.
        'hp-crashy.service':
          '[Unit]\nStartLimitIntervalSec=60\nStartLimitBurst=3\n[Service]\nExecStart=/bin/false\nRestart=on-failure\nRestartSec=50ms\n',
        'hp-fine.service': '[Service]\nExecStart=/bin/sleep infinity\n',
      },
    });
    units = new UnitManager({ busAddress: sd.busAddress, jobTimeoutMs: 30_000 });
  });
  afterAll(async () => {
    watcher?.stop();
    units?.close();
    await sd?.stop();
  });

  it('turns a failing unit into a problem condition and counts its restarts', async () => {
    const registry = new Registry();
    const watched = ['hp-crashy.service', 'hp-fine.service', 'hp-absent.service'];
    const health = new UnitHealth({ registry, units: watched });
    const heard: Condition[] = [];
    watcher = await startUnitHealth(units, watched, health, { onCondition: (c) => heard.push(c) });
    await units.start('hp-fine.service');
    await units.start('hp-crashy.service').catch(() => undefined);
    await eventually(() => health.problems().some((c) => c.type === 'UnitFailed:hp-crashy.service'), 'crashy unit to be a problem');
    const problems = health.problems();
    expect(problems.map((c) => c.type)).toEqual(['UnitFailed:hp-absent.service', 'UnitFailed:hp-crashy.service']);
    expect(problems[1]).toMatchObject({ status: 'True', reason: 'UnitFailed' });
    expect(problems[1]!.message).toMatch(/hp-crashy.service failed \(result: (exit-code|start-limit-hit)\)/);
    expect(heard.filter((c) => c.type === 'UnitFailed:hp-crashy.service').map((c) => c.status)).toContain('True');
    const text = await registry.metrics();
    expect(text).toContain('hostpilot_unit_active{unit="hp-fine.service"} 1');
    expect(text).toContain('hostpilot_unit_active{unit="hp-crashy.service"} 0');
    const restarts = Number(/hostpilot_unit_restarts_total\{unit="hp-crashy.service"\} (\d+)/.exec(text)?.[1]);
    expect(restarts).toBe((await units.getUnit('hp-crashy.service')).restarts);
    expect(restarts).toBeGreaterThanOrEqual(2);

    // The one-shot check the reboot flow uses after boot says the same.
    expect((await checkUnits(units, watched)).map((c) => c.reason)).toEqual(['UnitFailed', 'UnitNotFound']);
  });

  it('startSystemdArea converges the declared units and watches their health', async () => {
    const registry = new Registry();
    const heard: Condition[] = [];
    const area = await startSystemdArea({
      units: parseUnitsConfig({
        root: sd.etcUnitsDir,
        manage: [{ name: 'hp-declared.service', content: '[Service]\nExecStart=/bin/sleep infinity\n', running: true }],
        watch: ['hp-crashy.service'],
      }),
      registry,
      busAddress: sd.busAddress,
      convergeIntervalMs: 0,
      onCondition: (c) => heard.push(c),
    });
    try {
      await eventually(() => area.health.conditions().some((c) => c.type === 'UnitFailed:hp-declared.service' && c.status === 'False' && c.message.includes('active')), 'declared unit active');
      expect(area.health.problems().map((c) => c.type)).toEqual(['UnitFailed:hp-crashy.service']);
      await area.converge(); // may be the start-up run still in flight
      expect(await area.converge()).toMatchObject({ changed: false, ok: true });
      const text = await registry.metrics();
      expect(text).toContain('hostpilot_unit_converge_total{result="changed"} 1');
      expect(text).toMatch(/hostpilot_unit_converge_total\{result="unchanged"\} [12]\n/);
      expect(text).toContain('hostpilot_unit_active{unit="hp-declared.service"} 1');
    } finally {
      area.stop();
    }
  });
});
