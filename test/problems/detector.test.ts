// The ProblemDetector as the agent uses it: shipped defaults, layered monitor
// directories, the reboot gate (activeProblems), change subscription, restart.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProcessRunner } from '../../common/exec/runner.js';
import { silentLogger } from '../../common/log.js';
import { ProblemDetector, SHIPPED_MONITORS_DIR, expandConfigPaths, type Condition } from '../../agent/problems/index.js';
import { parseKmsgLine } from '../../agent/problems/kmsg.js';
import { LogRuleEngine } from '../../agent/problems/logrules.js';
import { loadMonitorFile, type LogMonitorConfig } from '../../agent/problems/config.js';
import { FIXTURES, NPD_DIR, RecordingSink, tempDir, until } from './helpers.js';

let t: { dir: string; cleanup(): void };
beforeEach(() => {
  t = tempDir();
});
afterEach(() => t.cleanup());

describe('shipped monitors', () => {
  it('load, and the kernel monitor fires on the real kernel lines', () => {
    const files = expandConfigPaths([SHIPPED_MONITORS_DIR]);
    expect(files.map((f) => f.split('/').pop())).toEqual(['10-kernel.json', '20-builtin.json']);
    const kernel = loadMonitorFile(files[0]!) as LogMonitorConfig;
    expect(kernel.warnings).toEqual([]);
    const sink = new RecordingSink();
    const engine = new LogRuleEngine(kernel, sink, undefined);
    for (const f of ['kmsg-oom-kill.txt', 'dmesg-kernel-errors.txt']) {
      for (const line of readFileSync(join(FIXTURES, f), 'utf8').split('\n')) {
        const r = parseKmsgLine(line);
        if (r) engine.process({ message: r.message });
      }
    }
    engine.process({ message: 'INFO: task containerd:1234 blocked for more than 120 seconds.' });
    expect(sink.events.map((e) => e.reason)).toEqual(['OOMKilling', 'TaskHung', 'Ext4Error', 'Ext4Error', 'TaskHung']);
    expect(sink.updates.map((u) => `${u.type}/${u.reason}`)).toEqual([
      'KernelReadonlyRemount/FilesystemRemountedReadOnly',
      'XfsShutdown/XfsHasShutdown',
      'XfsShutdown/XfsHasShutdown',
      'KernelDeadlock/ContainerRuntimeHung',
    ]);
  });
});

describe('layered monitor directories', () => {
  it('a later directory overrides a file of the same name; an empty file masks it; missing dirs are skipped when optional', () => {
    const usr = join(t.dir, 'usr');
    const etc = join(t.dir, 'etc');
    mkdirSync(usr);
    mkdirSync(etc);
    writeFileSync(join(usr, 'a.json'), '{}');
    writeFileSync(join(usr, 'b.json'), '{}');
    writeFileSync(join(usr, 'notes.txt'), '');
    writeFileSync(join(etc, 'a.json'), '{}');
    writeFileSync(join(etc, 'b.json'), '');
    expect(expandConfigPaths([usr, join(t.dir, 'run'), etc], { optional: true })).toEqual([join(etc, 'a.json')]);
    expect(() => expandConfigPaths([join(t.dir, 'run')])).toThrow(/run: cannot read: ENOENT/);
  });
});

describe('the reboot gate', () => {
  function detector(log: string, state: string): ProblemDetector {
    const cfg = join(t.dir, 'kernel-monitor.json');
    copyFileSync(join(NPD_DIR, 'kernel-monitor.json'), cfg);
    return new ProblemDetector({ configPaths: [cfg], runner: new ProcessRunner(), registry: new Registry(), logger: silentLogger, bootId: 'boot-A', statePath: state, logPathOverride: log, pollMs: 10 });
  }

  it('an active problem shows in activeProblems and onChange; it survives an agent restart without a change event', async () => {
    const log = join(t.dir, 'kmsg');
    const state = join(t.dir, 'state.json');
    writeFileSync(log, '');
    const d = detector(log, state);
    const changes: Condition[] = [];
    const off = d.onChange((c) => changes.push(c));
    await d.start();
    expect(d.activeProblems()).toEqual([]); // no blocker
    appendFileSync(log, '3,9,9,-;XFS (dm-4): Corruption of in-memory data detected.  Shutting down filesystem\n');
    await until(() => d.activeProblems().length === 1);
    off();
    await d.stop();
    expect(changes.map((c) => `${c.type}=${c.status}`)).toEqual(['XfsShutdown=True']);
    expect(d.activeProblems()[0]).toMatchObject({ type: 'XfsShutdown', reason: 'XfsHasShutdown', source: 'kernel-monitor' });

    // Restart: the file is read again from the start, yet nothing "changes".
    const again = detector(log, state);
    expect(again.activeProblems().map((c) => c.type)).toEqual(['XfsShutdown']);
    const after: Condition[] = [];
    again.onChange((c) => after.push(c));
    await again.runOnce();
    expect(after).toEqual([]);
  });
});

describe('problemGate', () => {
  const cond = (type: string, extra: Partial<Condition> = {}): Condition => ({ type, status: 'True', reason: 'R', message: 'line one\nline two', lastTransitionTime: 0, source: 's', ...extra });
  it('blocks on any active problem, unknown included, and names them', async () => {
    const { problemGate } = await import('../../agent/problems/index.js');
    expect(problemGate({ activeProblems: () => [] })).toEqual({ blocked: false, reason: 'no active node problems', conditions: [] });
    const g = problemGate({ activeProblems: () => [cond('XfsShutdown'), cond('ClockNotSynchronized', { status: 'Unknown', reason: 'CheckFailed', message: 'cannot tell' })] });
    expect(g.blocked).toBe(true);
    expect(g.reason).toBe('active node problems: XfsShutdown=True (R: line one); ClockNotSynchronized=Unknown (CheckFailed: cannot tell)');
    expect(problemGate({ activeProblems: () => [cond('ClockNotSynchronized')] }, { ignoreTypes: ['ClockNotSynchronized'] }).blocked).toBe(false);
    expect(problemGate({ activeProblems: () => { throw new Error('boom'); } })).toMatchObject({ blocked: true, reason: 'node problems unknown: boom' });
  });

  it('start() resolves with fresh conditions from plugins (a post-boot health check can await it)', async () => {
    const { chmodSync } = await import('node:fs');
    const script = join(t.dir, 'check.sh');
    writeFileSync(script, '#!/bin/sh\necho "kubelet is not healthy"\nexit 1\n');
    chmodSync(script, 0o755);
    const cfg = join(t.dir, 'hc.json');
    writeFileSync(cfg, JSON.stringify({ plugin: 'custom', source: 'hc', pluginConfig: { invoke_interval: '1h' }, conditions: [{ type: 'KubeletUnhealthy', reason: 'KubeletIsHealthy', message: 'ok' }], rules: [{ type: 'permanent', condition: 'KubeletUnhealthy', reason: 'KubeletUnhealthy', path: script }] }));
    const d = new ProblemDetector({ configPaths: [cfg], runner: new ProcessRunner(), registry: new Registry(), logger: silentLogger, bootId: 'b' });
    await d.start();
    try {
      expect(d.activeProblems()).toMatchObject([{ type: 'KubeletUnhealthy', message: 'kubelet is not healthy' }]);
    } finally {
      await d.stop();
    }
  });
});
