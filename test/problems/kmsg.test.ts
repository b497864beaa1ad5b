// Real kernel log lines through the kmsg monitor: a file, a FIFO, and the real /dev/kmsg.
import { execFileSync } from 'node:child_process';
import { appendFileSync, copyFileSync, openSync, writeSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcessRunner } from '../../common/exec/runner.js';
import { silentLogger } from '../../common/log.js';
import { loadMonitorFile, type LogMonitorConfig } from '../../agent/problems/config.js';
import { ProblemDetector } from '../../agent/problems/detector.js';
import { parseKmsgLine } from '../../agent/problems/kmsg.js';
import { LogBuffer } from '../../agent/problems/logbuffer.js';
import { LogRuleEngine } from '../../agent/problems/logrules.js';
import { SystemLogMonitor } from '../../agent/problems/logmonitor.js';
import { compilePattern } from '../../agent/problems/pattern.js';
import { spawnStream } from '../../common/exec/stream.js';
import { describeWith } from '../support/components.js';
import { FIXTURES, FakeClock, NPD_DIR, RecordingSink, tempDir, until } from './helpers.js';

const OOM_FIXTURE = join(FIXTURES, 'kmsg-oom-kill.txt');
const ERRORS_FIXTURE = join(FIXTURES, 'dmesg-kernel-errors.txt');

function kernelMonitor(): LogMonitorConfig {
  const cfg = loadMonitorFile(join(NPD_DIR, 'kernel-monitor.json'));
  if (cfg.plugin !== 'kmsg') throw new Error('not kmsg');
  return cfg;
}

describe('kmsg record parsing', () => {
  it('parses /dev/kmsg records, dmesg -r and dmesg lines; skips continuation lines', () => {
    expect(parseKmsgLine('3,432,544137874,-;Memory cgroup out of memory: Killed process 17759 (python3)')).toEqual({
      priority: 3,
      facility: 0,
      seq: 432,
      timestampUs: 544137874,
      message: 'Memory cgroup out of memory: Killed process 17759 (python3)',
    });
    expect(parseKmsgLine('14,2000,123,-,caller=T1;hostpilot-test: x')).toMatchObject({ priority: 6, facility: 1, message: 'hostpilot-test: x' });
    expect(parseKmsgLine('<4>[  967.723577] INFO: task ip:6024 blocked')).toMatchObject({ priority: 4, timestampUs: 967_723_577, message: 'INFO: task ip:6024 blocked' });
    expect(parseKmsgLine('[    8.182008] XFS (dm-4): x')).toMatchObject({ timestampUs: 8_182_008, message: 'XFS (dm-4): x' });
    expect(parseKmsgLine(' SUBSYSTEM=block')).toBeUndefined();
    expect(parseKmsgLine('garbage')).toBeUndefined();
  });
});

describe('log buffer', () => {
  it('matches single-line patterns on the newest line and multi-line patterns across the buffer', () => {
    const b = new LogBuffer(3);
    b.push('first line');
    b.push('second line');
    expect(b.match(compilePattern('first line\\nsecond line', 'p'))).toEqual(['first line', 'second line']);
    expect(b.match(compilePattern('first line', 'p'))).toBeUndefined();
    b.push('third');
    b.push('fourth');
    expect(b.match(compilePattern('first line\\nsecond line\\nthird\\nfourth', 'p'))).toBeUndefined();
    expect(b.match(compilePattern('third\\nfourth', 'p'))).toEqual(['third', 'fourth']);
  });
});

describe('kernel-monitor.json rules on real kernel lines', () => {
  it('fires on each line whose problem the rules describe, and on nothing else', () => {
    const cfg = kernelMonitor();
    const sink = new RecordingSink();
    const engine = new LogRuleEngine(cfg, sink, undefined);
    const lines = [...readFileSync(OOM_FIXTURE, 'utf8').split('\n'), ...readFileSync(ERRORS_FIXTURE, 'utf8').split('\n')];
    for (const line of lines) {
      const r = parseKmsgLine(line);
      if (r) engine.process({ message: r.message });
    }
    expect(sink.events.map((e) => e.reason)).toEqual(['OOMKilling', 'TaskHung', 'Ext4Error', 'Ext4Error']);
    expect(sink.events[0]!.message).toBe(
      'Memory cgroup out of memory: Killed process 17759 (python3) total-vm:58712kB, anon-rss:48768kB, file-rss:6792kB, shmem-rss:0kB, UID:0 pgtables:152kB oom_score_adj:0',
    );
    expect(sink.updates.map((u) => [u.type, u.reason, u.status])).toEqual([
      ['XfsShutdown', 'XfsHasShutdown', true],
      ['XfsShutdown', 'XfsHasShutdown', true],
    ]);
    expect(sink.updates[0]!.message).toBe('XFS (dm-4): Corruption of in-memory data detected.  Shutting down filesystem');
  });

  it('readonly-monitor.json sets ReadonlyFilesystem on a real remount-ro line', () => {
    const cfg = loadMonitorFile(join(NPD_DIR, 'readonly-monitor.json')) as LogMonitorConfig;
    const sink = new RecordingSink();
    const engine = new LogRuleEngine(cfg, sink, undefined);
    for (const line of readFileSync(ERRORS_FIXTURE, 'utf8').split('\n')) {
      const r = parseKmsgLine(line);
      if (r) engine.process({ message: r.message });
    }
    expect(sink.updates).toEqual([
      { source: 'readonly-monitor', type: 'ReadonlyFilesystem', status: true, reason: 'FilesystemIsReadOnly', message: 'EXT4-fs (sdb): Remounting filesystem read-only' },
    ]);
  });

  it('a hung docker task sets KernelDeadlock (permanent) as well as the TaskHung event', () => {
    const sink = new RecordingSink();
    new LogRuleEngine(kernelMonitor(), sink, undefined).process({ message: 'INFO: task docker:20744 blocked for more than 120 seconds.' });
    expect(sink.events.map((e) => e.reason)).toEqual(['TaskHung']);
    expect(sink.updates.map((u) => [u.type, u.reason])).toEqual([['KernelDeadlock', 'DockerHung']]);
  });

  it('skips lines older than lookback when told where lookback starts', () => {
    const sink = new RecordingSink();
    const engine = new LogRuleEngine(kernelMonitor(), sink, 1000);
    engine.process({ message: 'EXT4-fs error (device sda1): old', timestamp: 999 });
    engine.process({ message: 'EXT4-fs error (device sda1): new', timestamp: 1000 });
    expect(sink.events.map((e) => e.message)).toEqual(['EXT4-fs error (device sda1): new']);
    expect(engine.skippedOld).toBe(1);
  });
});

function detectorFor(dir: string, logPath: string, extra: Partial<ConstructorParameters<typeof ProblemDetector>[0]> = {}) {
  const configFile = join(dir, 'kernel-monitor.json');
  copyFileSync(join(NPD_DIR, 'kernel-monitor.json'), configFile);
  return new ProblemDetector({
    configPaths: [configFile],
    runner: new ProcessRunner(),
    registry: new Registry(),
    logger: silentLogger,
    bootId: 'boot-1',
    logPathOverride: logPath,
    pollMs: 20,
    ...extra,
  });
}

describe('kmsg monitor over a file and a FIFO', () => {
  const dirs: { cleanup(): void }[] = [];
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const s of stops.splice(0)) await s();
    dirs.splice(0).forEach((d) => d.cleanup());
  });

  it('--once reads what a file of kmsg records holds', async () => {
    const t = tempDir();
    dirs.push(t);
    const log = join(t.dir, 'kmsg');
    writeFileSync(log, readFileSync(OOM_FIXTURE, 'utf8') + readFileSync(ERRORS_FIXTURE, 'utf8'));
    const d = detectorFor(t.dir, log);
    await d.runOnce();
    const byType = Object.fromEntries(d.conditions().map((c) => [c.type, c]));
    expect(byType.XfsShutdown).toMatchObject({ status: 'True', reason: 'XfsHasShutdown' });
    expect(byType.KernelDeadlock).toMatchObject({ status: 'False', reason: 'KernelHasNoDeadlock' });
    expect(d.activeProblems().map((c) => c.type)).toEqual(['XfsShutdown']);
    const reasons = d.events().map((e) => `${e.reason}x${e.count}`);
    expect(reasons).toEqual(['OOMKilling x1', 'TaskHung x1', 'Ext4Error x1', 'XfsHasShutdown x1', 'Ext4Error x1'].map((s) => s.replace(' ', '')));
  });

  it('follows a file as lines are appended', async () => {
    const t = tempDir();
    dirs.push(t);
    const log = join(t.dir, 'kmsg');
    writeFileSync(log, '');
    const d = detectorFor(t.dir, log);
    const changes: string[] = [];
    d.onChange((c) => changes.push(`${c.type}=${c.status}`));
    await d.start();
    stops.push(() => d.stop());
    appendFileSync(log, '3,1,100,-;XFS (sdb1): Log I/O Error (0x2) detected at xlog_ioend_work+0x6e/0x70 [xfs] (fs/xfs/xfs_log.c:1378).  Shutting down filesystem.\n');
    await until(() => changes.length > 0);
    expect(changes).toEqual(['XfsShutdown=True']);
  });

  it('reads real kernel lines written into a FIFO', async () => {
    const t = tempDir();
    dirs.push(t);
    const fifo = join(t.dir, 'kmsg.fifo');
    execFileSync('mkfifo', [fifo]);
    const d = detectorFor(t.dir, fifo);
    await d.start();
    stops.push(() => d.stop());
    const fd = openSync(fifo, 'w');
    writeSync(fd, readFileSync(OOM_FIXTURE, 'utf8'));
    writeSync(fd, readFileSync(ERRORS_FIXTURE, 'utf8'));
    closeSync(fd);
    await until(() => d.activeProblems().length > 0 && d.events().length >= 4);
    expect(d.events().map((e) => e.reason).slice(0, 4)).toEqual(['OOMKilling', 'TaskHung', 'Ext4Error', 'XfsHasShutdown']);
  });

  it('--once over a FIFO reads until the writer closes', async () => {
    const t = tempDir();
    dirs.push(t);
    const fifo = join(t.dir, 'kmsg.fifo');
    execFileSync('mkfifo', [fifo]);
    const cfg = { ...kernelMonitor(), logPath: fifo };
    const sink = new RecordingSink();
    const m = new SystemLogMonitor(cfg, { clock: new FakeClock(), logger: silentLogger, runner: new ProcessRunner(), spawnStream, bootTimeMs: () => 0, pollMs: 10 });
    const done = m.runOnce(sink);
    const fd = openSync(fifo, 'w');
    writeSync(fd, '4,1,1,-;INFO: task jbd2/sda1-8:123 blocked for more than 120 seconds.\n');
    closeSync(fd);
    await done;
    expect(sink.events.map((e) => e.reason)).toEqual(['TaskHung']);
  });
});

describeWith(['root'], 'kmsg monitor on the real /dev/kmsg', () => {
  it('ignores records from before its start, then fires on a new one', async () => {
    const t = tempDir();
    try {
      const marker = `hostpilot-test-${process.pid}-${Date.now()}`;
      // Written before start: lookback 0 on the device means "only new records".
      const cfgFile = join(t.dir, 'm.json');
      const cfg = JSON.parse(readFileSync(join(NPD_DIR, 'kernel-monitor.json'), 'utf8'));
      delete cfg.lookback;
      writeFileSync(cfgFile, JSON.stringify(cfg));
      writeFileSync('/dev/kmsg', `<3>${marker}-old: EXT4-fs error (device hp0): before start\n`);
      await new Promise((r) => setTimeout(r, 100));
      const d = new ProblemDetector({ configPaths: [cfgFile], runner: new ProcessRunner(), registry: new Registry(), logger: silentLogger, bootId: 'b', pollMs: 20 });
      await d.start();
      try {
        writeFileSync('/dev/kmsg', `<3>${marker}: EXT4-fs error (device hp0): test record\n`);
        await until(() => d.events().some((e) => e.message.includes(marker)));
        const mine = d.events().filter((e) => e.message.includes(marker));
        expect(mine.map((e) => [e.reason, e.message])).toEqual([['Ext4Error', `${marker}: EXT4-fs error (device hp0): test record`]]);
      } finally {
        await d.stop();
      }
    } finally {
      t.cleanup();
    }
  });
});
