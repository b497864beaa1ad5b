// Load safety: a flood of OOM lines is counted in full, coalesced into few
// events, and held in bounded memory; what cannot be read is counted, not lost silently.
import { appendFileSync, copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProcessRunner } from '../../common/exec/runner.js';
import { silentLogger } from '../../common/log.js';
import { ProblemDetector } from '../../agent/problems/detector.js';
import { LineSplitter } from '../../common/exec/lines.js';
import { Tail } from '../../agent/problems/tail.js';
import { NPD_DIR, tempDir, until } from './helpers.js';

const OOM = (i: number) =>
  `3,${1000 + i},${544137874 + i},-;Memory cgroup out of memory: Killed process ${20000 + i} (python3) total-vm:58712kB, anon-rss:48768kB, file-rss:6792kB, shmem-rss:0kB, UID:0 pgtables:152kB oom_score_adj:0\n`;

let t: { dir: string; cleanup(): void };
beforeEach(() => {
  t = tempDir();
});
afterEach(() => t.cleanup());

async function metric(registry: Registry, name: string, label: string, value: string): Promise<number | undefined> {
  const m = await registry.getSingleMetric(name)!.get();
  return m.values.find((v) => v.labels[label] === value)?.value;
}

describe('flood', () => {
  it('5,000 OOM lines: every one counted, events coalesced, memory bounded', async () => {
    const cfgFile = join(t.dir, 'kernel-monitor.json');
    copyFileSync(join(NPD_DIR, 'kernel-monitor.json'), cfgFile);
    const log = join(t.dir, 'kmsg');
    writeFileSync(log, '');
    const registry = new Registry();
    const d = new ProblemDetector({ configPaths: [cfgFile], runner: new ProcessRunner(), registry, logger: silentLogger, bootId: 'b', logPathOverride: log, pollMs: 10, tickMs: 50 });
    await d.start();
    try {
      // A minute's flood, written in bursts while the monitor follows the file.
      for (let burst = 0; burst < 50; burst++) {
        let chunk = '';
        for (let i = 0; i < 100; i++) chunk += OOM(burst * 100 + i);
        appendFileSync(log, chunk);
        if (burst % 10 === 9) await new Promise((r) => setTimeout(r, 15));
      }
      while (((await metric(registry, 'hostpilot_problem_total', 'reason', 'OOMKilling')) ?? 0) < 5000) await new Promise((r) => setTimeout(r, 20));
    } finally {
      await d.stop();
    }
    expect(await metric(registry, 'hostpilot_problem_total', 'reason', 'OOMKilling')).toBe(5000);
    const events = d.events();
    // Coalesced: the first at once, the rest folded (stop() flushes the window).
    expect(events.length).toBeLessThanOrEqual(3);
    expect(events.reduce((n, e) => n + e.count, 0)).toBe(5000);
    expect(events[0]).toMatchObject({ reason: 'OOMKilling', count: 1 });
    expect(await metric(registry, 'hostpilot_problem_coalesced_events_total', 'source', 'kernel-monitor')).toBe(4999);
    expect(d.activeProblems()).toEqual([]);
  });

  it('an endless line without a newline is cut at the cap and counted', () => {
    const s = new LineSplitter(1024);
    const out: string[] = [];
    const big = Buffer.alloc(64 * 1024, 'x');
    for (let i = 0; i < 100; i++) s.push(big, (l) => out.push(l)); // 6.4 MB, no newline
    s.push(Buffer.from('\nnext\n'), (l) => out.push(l));
    expect(out.map((l) => l.length)).toEqual([1024, 4]);
    expect(s.truncatedLines).toBe(1);
  });

  it('a file far behind is skipped to its end, and says how much', async () => {
    const log = join(t.dir, 'big.log');
    writeFileSync(log, '');
    const lines: string[] = [];
    const drops: string[] = [];
    const tail = new Tail({ path: log, pollMs: 10, maxBacklogBytes: 4096, onLine: (l) => lines.push(l), onDropped: (n, why) => drops.push(`${n} ${why}`) });
    tail.follow(true);
    try {
      appendFileSync(log, OOM(0).repeat(200)); // ~40 KB between two polls
      await until(() => drops.length > 0);
      appendFileSync(log, 'after the skip\n');
      await until(() => lines.includes('after the skip'));
    } finally {
      await tail.stop();
    }
    expect(lines).toEqual(['after the skip']);
    expect(drops).toHaveLength(1);
    expect(drops[0]).toMatch(/^\d+ fell \d+ bytes behind .*big\.log; skipped to its end$/);
  });

  it('a big file at start is read from its last maxBacklogBytes, from a line start, without a drop report', async () => {
    const log = join(t.dir, 'kern.log');
    let text = '';
    for (let i = 0; i < 1000; i++) text += `line ${i} ${'x'.repeat(40)}\n`;
    writeFileSync(log, text);
    const lines: string[] = [];
    const drops: string[] = [];
    const tail = new Tail({ path: log, pollMs: 10, maxBacklogBytes: 4096, onLine: (l) => lines.push(l), onDropped: (n, why) => drops.push(why) });
    tail.follow(true);
    await tail.stop();
    expect(lines.at(-1)).toBe(`line 999 ${'x'.repeat(40)}`);
    expect(lines.length).toBeGreaterThan(50);
    expect(lines.length).toBeLessThan(100);
    expect(lines.every((l) => /^line \d+ x{40}$/.test(l))).toBe(true);
    expect(drops).toEqual([]);
  });
});

describe('line splitter', () => {
  it('keeps an unfinished line intact when the caller reuses its read buffer', () => {
    const s = new LineSplitter(1024);
    const out: string[] = [];
    const buf = Buffer.alloc(8);
    buf.write('abc\ndef');
    s.push(buf.subarray(0, 7), (l) => out.push(l));
    buf.write('XXXXXXXX');
    buf.write('gh\n');
    s.push(buf.subarray(0, 3), (l) => out.push(l));
    expect(out).toEqual(['abc', 'defgh']);
  });
});
