// Conditions: clearing (clearAfter, new boot id), restart without flapping,
// metrics that go back to 0, and event coalescing.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/log.js';
import { EventCoalescer } from '../../agent/problems/coalesce.js';
import { ConditionManager } from '../../agent/problems/conditions.js';
import { parseMonitorConfig } from '../../agent/problems/config.js';
import type { ProblemEvent } from '../../agent/problems/types.js';
import { FakeClock, tempDir } from './helpers.js';

const CFG = parseMonitorConfig({
  plugin: 'kmsg',
  source: 'kernel-monitor',
  conditions: [
    { type: 'KernelDeadlock', reason: 'KernelHasNoDeadlock', message: 'kernel has no deadlock', clearAfter: '10m' },
    { type: 'XfsShutdown', reason: 'XfsHasNotShutDown', message: 'XFS has not shutdown' },
    { type: 'Sticky', reason: 'NotSticky', message: 'fine', clearOnReboot: false },
  ],
  rules: [
    { type: 'permanent', condition: 'KernelDeadlock', reason: 'DockerHung', pattern: 'task docker:\\w+ blocked' },
    { type: 'permanent', condition: 'XfsShutdown', reason: 'XfsHasShutdown', pattern: 'XFS .* Shutting down filesystem.?' },
    { type: 'permanent', condition: 'Sticky', reason: 'StickyProblem', pattern: 'sticky' },
    { type: 'temporary', reason: 'OOMKilling', pattern: 'Killed process' },
  ],
});

let t: { dir: string; cleanup(): void };
let clock: FakeClock;
beforeEach(() => {
  t = tempDir();
  clock = new FakeClock();
});
afterEach(() => t.cleanup());

function manager(bootId: string, registry = new Registry()) {
  const m = new ConditionManager({ clock, registry, logger: silentLogger, bootId, statePath: join(t.dir, 'state', 'problems.json'), coalesceWindowMs: 60_000 });
  m.define(CFG);
  m.restore();
  return { m, registry };
}

const bad = (type: string, reason: string, message = 'bad') => ({ source: 'kernel-monitor', type, status: true, reason, message });

async function gauge(registry: Registry, type: string, reason: string): Promise<number | undefined> {
  const m = await registry.getSingleMetric('hostpilot_condition')!.get();
  return m.values.find((v) => v.labels.type === type && v.labels.reason === reason)?.value;
}

describe('condition manager', () => {
  it('starts every condition at its default, with label values initialised to 0', async () => {
    const { m, registry } = manager('boot-1');
    expect(m.conditions().map((c) => [c.type, c.status, c.reason])).toEqual([
      ['KernelDeadlock', 'False', 'KernelHasNoDeadlock'],
      ['XfsShutdown', 'False', 'XfsHasNotShutDown'],
      ['Sticky', 'False', 'NotSticky'],
    ]);
    expect(await gauge(registry, 'XfsShutdown', 'XfsHasShutdown')).toBe(0);
    expect(await gauge(registry, 'XfsShutdown', 'XfsHasNotShutDown')).toBe(0);
    const total = await registry.getSingleMetric('hostpilot_problem_total')!.get();
    expect(total.values.find((v) => v.labels.reason === 'OOMKilling')?.value).toBe(0);
  });

  it('announces a change once, sets the gauge, and resets it to 0 when the condition clears', async () => {
    const { m, registry } = manager('boot-1');
    const seen: string[] = [];
    m.onChange((c, prev) => seen.push(`${c.type}:${prev.status}->${c.status}`));
    m.update(bad('XfsShutdown', 'XfsHasShutdown'));
    m.update(bad('XfsShutdown', 'XfsHasShutdown', 'again, other text'));
    expect(seen).toEqual(['XfsShutdown:False->True']);
    expect(m.conditions()[1]).toMatchObject({ status: 'True', message: 'again, other text', lastTransitionTime: clock.now() });
    expect(await gauge(registry, 'XfsShutdown', 'XfsHasShutdown')).toBe(1);
    m.update({ source: 'kernel-monitor', type: 'XfsShutdown', status: false, reason: 'XfsHasNotShutDown', message: 'XFS has not shutdown' });
    expect(seen).toEqual(['XfsShutdown:False->True', 'XfsShutdown:True->False']);
    expect(await gauge(registry, 'XfsShutdown', 'XfsHasShutdown')).toBe(0);
    expect(await gauge(registry, 'XfsShutdown', 'XfsHasNotShutDown')).toBe(0);
  });

  it('clears a condition clearAfter after its last matching line, and not before', async () => {
    const { m, registry } = manager('boot-1');
    m.update(bad('KernelDeadlock', 'DockerHung'));
    clock.advance(9 * 60_000);
    m.update(bad('KernelDeadlock', 'DockerHung')); // seen again: the clock restarts
    clock.advance(9 * 60_000);
    m.tick();
    expect(m.conditions()[0]!.status).toBe('True');
    clock.advance(60_000);
    m.tick();
    expect(m.conditions()[0]).toMatchObject({ status: 'False', reason: 'KernelHasNoDeadlock', message: 'kernel has no deadlock', lastTransitionTime: clock.now() });
    expect(await gauge(registry, 'KernelDeadlock', 'DockerHung')).toBe(0);
    // No clearAfter: stays.
    m.update(bad('XfsShutdown', 'XfsHasShutdown'));
    clock.advance(365 * 86_400_000);
    m.tick();
    expect(m.conditions()[1]!.status).toBe('True');
  });

  it('survives an agent restart without flapping (same boot id)', async () => {
    const first = manager('boot-1');
    first.m.update(bad('XfsShutdown', 'XfsHasShutdown', 'XFS (dm-4): Shutting down filesystem'));
    const since = clock.now();
    clock.advance(5000);
    const second = manager('boot-1');
    const seen: unknown[] = [];
    second.m.onChange((c) => seen.push(c));
    expect(second.m.conditions()[1]).toMatchObject({ status: 'True', reason: 'XfsHasShutdown', lastTransitionTime: since, message: 'XFS (dm-4): Shutting down filesystem' });
    expect(await gauge(second.registry, 'XfsShutdown', 'XfsHasShutdown')).toBe(1);
    second.m.update(bad('XfsShutdown', 'XfsHasShutdown'));
    expect(seen).toEqual([]);
  });

  it('clears on a new boot id, except conditions with clearOnReboot: false', () => {
    const first = manager('boot-1');
    first.m.update(bad('XfsShutdown', 'XfsHasShutdown'));
    first.m.update(bad('Sticky', 'StickyProblem'));
    const second = manager('boot-2');
    expect(second.m.conditions().map((c) => [c.type, c.status])).toEqual([
      ['KernelDeadlock', 'False'],
      ['XfsShutdown', 'False'],
      ['Sticky', 'True'],
    ]);
    const state = JSON.parse(readFileSync(join(t.dir, 'state', 'problems.json'), 'utf8'));
    expect(state.bootId).toBe('boot-2');
  });

  it('starts from defaults when the state file is garbage', () => {
    writeFileSync(join(t.dir, 'problems.json'), 'not json');
    const m = new ConditionManager({ clock, registry: new Registry(), logger: silentLogger, bootId: 'b', statePath: join(t.dir, 'problems.json') });
    m.define(CFG);
    m.restore();
    expect(m.conditions().every((c) => c.status === 'False')).toBe(true);
  });

  it('counts every problem but coalesces the events', async () => {
    const { m, registry } = manager('boot-1');
    for (let i = 0; i < 500; i++) m.event('kernel-monitor', 'OOMKilling', `Killed process ${i}`);
    expect(m.events()).toMatchObject([{ reason: 'OOMKilling', count: 1, message: 'Killed process 0' }]);
    clock.advance(60_000);
    m.tick();
    expect(m.events()).toMatchObject([{ count: 1 }, { count: 499, message: 'Killed process 499' }]);
    const total = await registry.getSingleMetric('hostpilot_problem_total')!.get();
    expect(total.values.find((v) => v.labels.reason === 'OOMKilling')?.value).toBe(500);
    const coalesced = await registry.getSingleMetric('hostpilot_problem_coalesced_events_total')!.get();
    expect(coalesced.values[0]!.value).toBe(499);
  });

  it('serves metrics promtool accepts', async () => {
    const { m, registry } = manager('boot-1');
    m.update(bad('XfsShutdown', 'XfsHasShutdown'));
    m.dropped('kernel-monitor', 3, 'line longer than the cap, cut');
    const text = await registry.metrics();
    expect(text).toContain('hostpilot_problem_dropped_lines_total{source="kernel-monitor"} 3');
    const { execFileSync } = await import('node:child_process');
    // promtool comes with the `prometheus` package scripts/setup.sh installs.
    execFileSync('promtool', ['check', 'metrics'], { input: text });
  });
});

describe('event coalescer', () => {
  it('emits the first at once, the rest as one event per window, and forgets quiet keys', () => {
    const c = new FakeClock(0);
    const out: ProblemEvent[] = [];
    const co = new EventCoalescer(10_000, c, (e) => out.push(e));
    co.add('s', 'A', 'a1');
    co.add('s', 'B', 'b1');
    co.add('s', 'A', 'a2');
    c.advance(1000);
    co.add('s', 'A', 'a3');
    expect(out.map((e) => `${e.reason}${e.count}`)).toEqual(['A1', 'B1']);
    c.advance(9000);
    co.flush();
    expect(out.map((e) => `${e.reason}${e.count}:${e.message}@${e.timestamp}`)).toEqual(['A1:a1@0', 'B1:b1@0', 'A2:a3@0']);
    expect(co.size()).toBe(1); // B had nothing pending: forgotten
    c.advance(10_000);
    co.flush();
    expect(co.size()).toBe(0);
    co.add('s', 'A', 'a4');
    expect(out.at(-1)).toMatchObject({ reason: 'A', count: 1, message: 'a4' });
  });
});
