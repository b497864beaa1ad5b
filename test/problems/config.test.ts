import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../common/errors.js';
import { loadMonitorFile, parseMonitorConfig } from '../../agent/problems/config.js';
import { loadMonitorConfigs } from '../../agent/problems/detector.js';
import { compilePattern } from '../../agent/problems/pattern.js';
import { NPD_DIR, tempDir } from './helpers.js';

describe('NPD config files load unchanged', () => {
  const files = readdirSync(NPD_DIR).filter((f) => f.endsWith('.json'));

  it('has all eight shipped configs', () => {
    expect(files.sort()).toEqual([
      'custom-plugin-monitor.json',
      'docker-monitor.json',
      'health-checker-kubelet.json',
      'kernel-monitor-counter.json',
      'kernel-monitor-filelog.json',
      'kernel-monitor.json',
      'readonly-monitor.json',
      'systemd-monitor.json',
    ]);
  });

  it.each(files)('%s loads', (f) => {
    const cfg = loadMonitorFile(join(NPD_DIR, f));
    expect(cfg.source.length).toBeGreaterThan(0);
    expect(cfg.plugin === 'builtin' ? cfg.checks.length : cfg.rules.length).toBeGreaterThan(0);
  });

  it('reads kernel-monitor.json fields with NPD meaning', () => {
    const cfg = loadMonitorFile(join(NPD_DIR, 'kernel-monitor.json'));
    if (cfg.plugin !== 'kmsg') throw new Error('plugin');
    expect(cfg.logPath).toBe('/dev/kmsg');
    expect(cfg.lookbackMs).toBe(300_000);
    expect(cfg.bufferSize).toBe(10);
    expect(cfg.conditions.map((c) => c.type)).toEqual(['KernelDeadlock', 'XfsShutdown', 'CperHardwareErrorFatal']);
    expect(cfg.conditions[0]).toMatchObject({ reason: 'KernelHasNoDeadlock', message: 'kernel has no deadlock', clearOnReboot: true });
    expect(cfg.rules.filter((r) => r.kind === 'permanent').map((r) => r.condition)).toEqual(['XfsShutdown', 'CperHardwareErrorFatal', 'KernelDeadlock']);
    expect(cfg.warnings).toEqual([]);
  });

  it('reads custom plugin settings, resolving relative paths against the file', () => {
    const cfg = loadMonitorFile(join(NPD_DIR, 'custom-plugin-monitor.json'));
    if (cfg.plugin !== 'custom') throw new Error('plugin');
    expect(cfg).toMatchObject({ intervalMs: 30_000, timeoutMs: 5000, maxOutputLength: 80, concurrency: 3, skipInitialStatus: false });
    expect(cfg.rules[0]).toMatchObject({ kind: 'temporary', reason: 'NTPIsDown', path: join(NPD_DIR, 'config/plugin/check_ntp.sh'), timeoutMs: 3000 });
    const hc = loadMonitorFile(join(NPD_DIR, 'health-checker-kubelet.json'));
    if (hc.plugin !== 'custom') throw new Error('plugin');
    expect(hc.rules[0]!.args).toContain('--component=kubelet');
    expect(hc.rules[0]!.timeoutMs).toBe(180_000);
  });

  it('reads journald and filelog plugin config', () => {
    const d = loadMonitorFile(join(NPD_DIR, 'docker-monitor.json'));
    if (d.plugin !== 'journald') throw new Error('plugin');
    expect(d.journalIdentifier).toBe('dockerd');
    const f = loadMonitorFile(join(NPD_DIR, 'kernel-monitor-filelog.json'));
    if (f.plugin !== 'filelog') throw new Error('plugin');
    expect(f.filelog!.timestampFormat).toBe('Jan _2 15:04:05');
    expect(f.logPath).toBe('/var/log/kern.log');
  });

  it('refuses two configs with the same source (kernel-monitor and its filelog twin)', () => {
    expect(() => loadMonitorConfigs([join(NPD_DIR, 'kernel-monitor.json'), join(NPD_DIR, 'kernel-monitor-filelog.json')])).toThrow(/source: kernel-monitor is also the source of/);
  });
});

describe('config errors name the field', () => {
  const base = {
    plugin: 'kmsg',
    source: 'test-monitor',
    conditions: [{ type: 'KernelDeadlock', reason: 'KernelHasNoDeadlock', message: 'fine' }],
    rules: [{ type: 'temporary', reason: 'OOMKilling', pattern: 'Killed process \\d+' }],
  };
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['plugin missing', { plugin: undefined }, /^plugin: is required/],
    ['plugin unknown', { plugin: 'syslog' }, /^plugin: must be one of/],
    ['source missing', { source: undefined }, /^source: is required/],
    ['source bad', { source: 'a b' }, /^source: /],
    ['lookback bad', { lookback: '5 minutes' }, /^lookback: /],
    ['bufferSize bad', { bufferSize: 0 }, /^bufferSize: must be between/],
    ['logPath relative', { logPath: 'dev/kmsg' }, /^logPath: .* not an absolute path/],
    ['rule type', { rules: [{ type: 'sometimes', reason: 'X', pattern: 'x' }] }, /^rules\[0\]\.type: must be "temporary" or "permanent"/],
    ['rule reason', { rules: [{ type: 'temporary', pattern: 'x' }] }, /^rules\[0\]\.reason: is required/],
    ['rule pattern', { rules: [{ type: 'temporary', reason: 'X', pattern: 'a(b' }] }, /^rules\[0\]\.pattern: is not a valid regular expression/],
    ['rule pattern posix', { rules: [{ type: 'temporary', reason: 'X', pattern: '[[:alpha:]]+' }] }, /^rules\[0\]\.pattern: uses POSIX classes/],
    ['permanent without condition', { rules: [{ type: 'permanent', reason: 'X', pattern: 'x' }] }, /^rules\[0\]\.condition: is required for a permanent rule/],
    ['permanent unknown condition', { rules: [{ type: 'permanent', condition: 'Nope', reason: 'X', pattern: 'x' }] }, /^rules\[0\]\.condition: Nope is not one of the conditions/],
    ['condition type', { conditions: [{ type: '1bad', reason: 'r' }] }, /^conditions\[0\]\.type: /],
    ['condition reason', { conditions: [{ type: 'Good' }] }, /^conditions\[0\]\.reason: is required/],
    ['condition clearAfter', { conditions: [{ type: 'Good', reason: 'r', clearAfter: 'soon' }] }, /^conditions\[0\]\.clearAfter: /],
    ['condition duplicate', { conditions: [{ type: 'A', reason: 'r' }, { type: 'A', reason: 'r' }] }, /^conditions\[1\]\.type: A is defined twice/],
  ];
  it.each(cases)('%s', (_name, patch, re) => {
    const raw = { ...base, ...patch };
    for (const [k, v] of Object.entries(patch)) if (v === undefined) delete (raw as Record<string, unknown>)[k];
    let err: unknown;
    try {
      parseMonitorConfig(raw);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toMatch(re);
  });

  it('custom plugin fields', () => {
    const c = { plugin: 'custom', source: 's', conditions: [{ type: 'A', reason: 'ok' }] };
    expect(() => parseMonitorConfig({ ...c, pluginConfig: { timeout: 5 }, rules: [] })).toThrow(/^pluginConfig\.timeout: must be a duration/);
    expect(() => parseMonitorConfig({ ...c, pluginConfig: { concurrency: 0 }, rules: [] })).toThrow(/^pluginConfig\.concurrency: must be between 1 and 64/);
    expect(() => parseMonitorConfig({ ...c, rules: [{ type: 'temporary', reason: 'r' }] })).toThrow(/^rules\[0\]\.path: is required/);
    expect(() => parseMonitorConfig({ ...c, rules: [{ type: 'temporary', reason: 'r', path: '/x', args: [1] }] })).toThrow(/^rules\[0\]\.args: must be a list of strings/);
  });

  it('builtin fields', () => {
    expect(() => parseMonitorConfig({ plugin: 'builtin', source: 'b', pluginConfig: { checks: [{ check: 'coffee' }] } })).toThrow(/^pluginConfig\.checks\[0\]\.check: must be one of/);
    expect(() => parseMonitorConfig({ plugin: 'builtin', source: 'b', pluginConfig: { checks: [{ check: 'disk-pressure', threshold: 101 }] } })).toThrow(/^pluginConfig\.checks\[0\]\.threshold: must be between 0 and 100/);
    const ok = parseMonitorConfig({ plugin: 'builtin', source: 'b', pluginConfig: { checks: [{ check: 'readonly-fs' }, { check: 'clock-sync' }] } });
    expect(ok.conditions.map((c) => c.type)).toEqual(['ReadonlyFilesystem', 'ClockNotSynchronized']);
  });

  it('warns about unknown fields instead of failing (NPD ignores them too)', () => {
    const cfg = parseMonitorConfig({ ...base, lookbak: '5m', rules: [{ ...base.rules[0], patern: 'x' }] });
    expect(cfg.warnings).toEqual(['lookbak: unknown field, ignored', 'rules[0].patern: unknown field, ignored']);
  });

  const dirs: { cleanup(): void }[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));
  it('a file error names the file and the field; bad JSON names the file', () => {
    const t = tempDir();
    dirs.push(t);
    const bad = join(t.dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...base, bufferSize: 'ten' }));
    expect(() => loadMonitorFile(bad)).toThrow(`${bad}: bufferSize: must be an integer`);
    const notJson = join(t.dir, 'x.json');
    writeFileSync(notJson, '{ "plugin": ');
    expect(() => loadMonitorFile(notJson)).toThrow(new RegExp(`^${notJson}: not valid JSON`));
  });
});

describe('Go patterns', () => {
  it('anchors at the end, like NPD\'s pattern + \\z', () => {
    const p = compilePattern('Shutting down filesystem.?', 'f');
    expect(p.regex.test('XFS (sda): Shutting down filesystem.')).toBe(true);
    expect(p.regex.test('Shutting down filesystem now, really')).toBe(false);
  });
  it('translates (?i), \\z, (?P<name>) and knows which patterns span lines', () => {
    expect(compilePattern('(?i)oom', 'f').regex.test('OOM')).toBe(true);
    expect(compilePattern('abc\\z', 'f').regex.test('xabc')).toBe(true);
    expect(compilePattern('(?P<n>\\d+)', 'f').regex.exec('12')!.groups!.n).toBe('12');
    expect(compilePattern('task [\\S ]+:\\w+ blocked', 'f').multiline).toBe(false);
    expect(compilePattern('first\\nsecond', 'f').multiline).toBe(true);
    expect(compilePattern('a[^x]+b', 'f').multiline).toBe(true);
    expect(() => compilePattern('(?m)^x', 'rules[2].pattern')).toThrow(/^rules\[2\]\.pattern: uses the \(\?m\) flag/);
  });
});
