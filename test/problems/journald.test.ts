// The journald and filelog monitors, and the streaming spawn under journalctl -f.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnStream, type StreamSpec } from '../../common/exec/stream.js';
import { ProcessRunner } from '../../common/exec/runner.js';
import { silentLogger } from '../../common/log.js';
import { loadMonitorFile, type LogMonitorConfig } from '../../agent/problems/config.js';
import { compileGoLayout, parseGoTime } from '../../agent/problems/filelog.js';
import { SystemLogMonitor } from '../../agent/problems/logmonitor.js';
import { RecordedRunner } from '../support/recorded-runner.js';
import { describeWith } from '../support/components.js';
import { FakeClock, NPD_DIR, RecordingSink, tempDir, until } from './helpers.js';

let t: { dir: string; cleanup(): void };
beforeEach(() => {
  t = tempDir();
});
afterEach(() => t.cleanup());

const entry = (message: string | number[], usec: number, cursor: string) =>
  JSON.stringify({ __CURSOR: cursor, __REALTIME_TIMESTAMP: String(usec), SYSLOG_IDENTIFIER: 'dockerd', MESSAGE: message });

describe('journald monitor (docker-monitor.json, systemd-monitor.json)', () => {
  const clock = new FakeClock(Date.UTC(2026, 10, 21, 12, 0, 0));
  const nowUs = clock.now() * 1000;

  function docker(): LogMonitorConfig {
    const cfg = loadMonitorFile(join(NPD_DIR, 'docker-monitor.json'));
    if (cfg.plugin !== 'journald') throw new Error('plugin');
    return { ...cfg, logPath: join(t.dir, 'no-such-journal') };
  }

  it('follows journalctl -f -o json -t dockerd and fires on matching messages', async () => {
    const specs: StreamSpec[] = [];
    let stopped = 0;
    const fake = (spec: StreamSpec) => {
      specs.push(spec);
      return { argv: spec.argv, stop: async () => void (stopped += 1), truncatedLines: () => 0, write: () => {} };
    };
    const m = new SystemLogMonitor(docker(), { clock, logger: silentLogger, runner: new RecordedRunner([]), spawnStream: fake, bootTimeMs: () => 0 });
    const sink = new RecordingSink();
    await m.start(sink);
    expect(specs[0]!.argv).toEqual(['journalctl', '-o', 'json', '--no-pager', '-t', 'dockerd', '--since=-300s', '-f']);
    specs[0]!.onLine(entry('time="2026-11-21T12:00:00Z" level=error msg="Handler for POST /containers/x/start returned error: readlink /var/lib/docker/overlay2/l/abc: invalid argument"', nowUs, 'c1'));
    specs[0]!.onLine(entry('OCI runtime start failed: container process is already dead: unknown', nowUs, 'c2'));
    specs[0]!.onLine(entry([0x68, 0x69], nowUs, 'c3')); // a non-UTF-8 message comes as bytes
    specs[0]!.onLine(entry('OCI runtime start failed: container process is already dead: unknown', nowUs - 600e6, 'c4')); // older than lookback
    specs[0]!.onLine('not json');
    expect(sink.updates.map((u) => [u.type, u.reason])).toEqual([['CorruptDockerOverlay2', 'CorruptDockerOverlay2']]);
    expect(sink.events.map((e) => e.reason)).toEqual(['DockerContainerStartupFailure']);
    // journalctl died: it is said, and restarted after the last cursor.
    specs[0]!.onExit!({ exitCode: 1, signal: null, stderr: 'No journal files were found.' });
    expect(sink.drops[0]!.why).toMatch(/^journalctl exited \(code 1, signal null\): No journal files were found\.; restarting$/);
    await m.stop();
    expect(specs).toHaveLength(1); // stop() cancelled the restart
  });

  it('restarts journalctl after the last cursor', async () => {
    const specs: StreamSpec[] = [];
    const fake = (spec: StreamSpec) => {
      specs.push(spec);
      return { argv: spec.argv, stop: async () => {}, truncatedLines: () => 0, write: () => {} };
    };
    const m = new SystemLogMonitor(docker(), { clock, logger: silentLogger, runner: new RecordedRunner([]), spawnStream: fake, bootTimeMs: () => 0, restartDelayMs: 1 });
    await m.start(new RecordingSink());
    specs[0]!.onLine(entry('x', nowUs, 's=abc;i=1'));
    specs[0]!.onExit!({ exitCode: 1, signal: null, stderr: '' });
    await until(() => specs.length === 2);
    await m.stop();
    expect(specs[1]!.argv).toEqual(['journalctl', '-o', 'json', '--no-pager', '-t', 'dockerd', '--after-cursor=s=abc;i=1', '-f']);
  });

  it('reads the system journal without -D (both /var/log/journal and /run/log/journal), another directory with -D', () => {
    const specs: StreamSpec[] = [];
    const fake = (spec: StreamSpec) => (specs.push(spec), { argv: spec.argv, stop: async () => {}, truncatedLines: () => 0, write: () => {} });
    const deps = { clock, logger: silentLogger, runner: new RecordedRunner([]), spawnStream: fake, bootTimeMs: () => 0 };
    void new SystemLogMonitor({ ...docker(), logPath: '/var/log/journal' }, deps).start(new RecordingSink());
    void new SystemLogMonitor({ ...docker(), logPath: t.dir }, deps).start(new RecordingSink());
    expect(specs[0]!.argv).not.toContain('-D');
    expect(specs[1]!.argv).toEqual(['journalctl', '-o', 'json', '--no-pager', '-t', 'dockerd', '-D', t.dir, '--since=-300s', '-f']);
  });

  it('--once runs journalctl without -f through the runner', async () => {
    const cfg = loadMonitorFile(join(NPD_DIR, 'systemd-monitor.json')) as LogMonitorConfig;
    const runner = new RecordedRunner([
      {
        argv: ['journalctl', '-o', 'json', '--no-pager', '-t', 'systemd', '--since=-300s'],
        stdout: [entry('Started kubelet.service - Kubernetes kubelet.', nowUs, 'a'), entry('Starting containerd.service - containerd container runtime...', nowUs, 'b'), entry('Reached target multi-user.target.', nowUs, 'c')].join('\n') + '\n',
      },
    ]);
    const m = new SystemLogMonitor({ ...cfg, logPath: join(t.dir, 'none') }, { clock, logger: silentLogger, runner, spawnStream, bootTimeMs: () => 0 });
    const sink = new RecordingSink();
    await m.runOnce(sink);
    expect(sink.events.map((e) => e.reason)).toEqual(['KubeletStart', 'ContainerdStart']);
  });
});

describe('filelog monitor (kernel-monitor-filelog.json)', () => {
  it('cuts syslog lines with the message regex and applies lookback to the Go-layout timestamp', async () => {
    const cfg = loadMonitorFile(join(NPD_DIR, 'kernel-monitor-filelog.json')) as LogMonitorConfig;
    const log = join(t.dir, 'kern.log');
    writeFileSync(
      log,
      [
        'Nov 21 11:50:00 node1 kernel: [  967.723577] INFO: task ip:6024 blocked for more than 120 seconds.',
        'Nov 21 11:58:00 node1 kernel: [  968.000000] INFO: task kworker/u16:9:7088 blocked for more than 120 seconds.',
        'Nov 21 11:59:00 node1 kernel: [  969.000000] Memory cgroup out of memory: Killed process 17759 (python3) total-vm:58712kB, anon-rss:48768kB, file-rss:6792kB, shmem-rss:0kB, UID:0 pgtables:152kB oom_score_adj:0',
        'Nov 21 11:59:30 node1 systemd[1]: Started Session 3 of user core.',
        '',
      ].join('\n'),
    );
    const clock = { now: () => new Date(2026, 10, 21, 12, 0, 0).getTime() };
    const m = new SystemLogMonitor({ ...cfg, logPath: log }, { clock, logger: silentLogger, runner: new ProcessRunner(), spawnStream, bootTimeMs: () => 0 });
    const sink = new RecordingSink();
    await m.runOnce(sink);
    expect(sink.events.map((e) => [e.reason, e.message.slice(0, 26)])).toEqual([
      ['TaskHung', 'INFO: task kworker/u16:9:7'],
      ['OOMKilling', 'Memory cgroup out of memor'],
    ]);
  });

  it('parses Go time layouts', () => {
    const now = Date.UTC(2026, 10, 21, 12, 0, 0);
    expect(parseGoTime('2026-11-21T11:59:58.250+01:00', compileGoLayout('2006-01-02T15:04:05.999Z07:00'), now)).toBe(Date.UTC(2026, 10, 21, 10, 59, 58, 250));
    expect(parseGoTime('2026-11-21T11:59:58Z', compileGoLayout('2006-01-02T15:04:05Z07:00'), now)).toBe(Date.UTC(2026, 10, 21, 11, 59, 58));
    expect(parseGoTime('Nov  2 03:04:05', compileGoLayout('Jan _2 15:04:05'), now)).toBe(new Date(2026, 10, 2, 3, 4, 5).getTime());
    expect(parseGoTime('garbage', compileGoLayout('Jan _2 15:04:05'), now)).toBeUndefined();
  });
});

describe('spawnStream', () => {
  it('delivers lines as they come and kills the whole process group on stop', async () => {
    const pidFile = join(t.dir, 'pid');
    const lines: string[] = [];
    // A child that prints, starts a grandchild, and never ends.
    const h = spawnStream({ argv: ['sh', '-c', `echo one; echo two; sleep 300 & echo $! > ${pidFile}; wait`], onLine: (l) => lines.push(l) });
    await until(() => lines.length === 2);
    await until(() => readFileSafe(pidFile) !== '');
    const grandchild = Number(readFileSafe(pidFile));
    await h.stop();
    expect(lines).toEqual(['one', 'two']);
    // Gone, or a zombie waiting for init to reap it: either way not running.
    await until(() => !running(grandchild));
  });

  it('reports an exit it did not cause, with stderr; caps long lines', async () => {
    let exit: { exitCode: number | null; stderr: string } | undefined;
    const lines: string[] = [];
    const h = spawnStream({ argv: ['sh', '-c', 'head -c 5000 /dev/zero | tr "\\\\0" y; echo; echo bad >&2; exit 3'], maxLineBytes: 100, onLine: (l) => lines.push(l), onExit: (e) => (exit = e) });
    await until(() => exit !== undefined);
    expect(exit).toMatchObject({ exitCode: 3, stderr: 'bad\n' });
    expect(lines).toEqual(['y'.repeat(100)]);
    expect(h.truncatedLines()).toBe(1);
  });

  it('a missing program is an exit with an error, not a throw', async () => {
    let exit: { error?: string } | undefined;
    spawnStream({ argv: [join(t.dir, 'nope')], onLine: () => {}, onExit: (e) => (exit = e) });
    await until(() => exit !== undefined);
    expect(exit!.error).toBe('command not found');
  });
});

function readFileSafe(p: string): string {
  try {
    return readFileSync(p, 'utf8').trim();
  } catch {
    return '';
  }
}

function running(pid: number): boolean {
  const stat = readFileSafe(`/proc/${pid}/stat`);
  return stat !== '' && !/^\d+ \(.*\) Z/.test(stat);
}

// A real journald in a private mount+PID namespace (TESTING.md), whose journal
// directory is bind-mounted from a temp dir the host-side journalctl follows.
const NS_SCRIPT = `set -e
mount -t tmpfs tmpfs /run
mkdir -p /run/log/journal
mount --bind "$1" /run/log/journal
/lib/systemd/systemd-journald &
while [ ! -S /run/systemd/journal/stdout ]; do sleep 0.05; done
echo ready
while IFS= read -r line; do printf '%s\\n' "$line" | systemd-cat -t dockerd; done`;

describeWith(['root', 'unshare', 'journalctl', 'systemd-cat'], 'journald monitor against a real journald', () => {
  it('docker-monitor.json fires on lines logged with identifier dockerd', async () => {
    const { spawn } = await import('node:child_process');
    const journalDir = join(t.dir, 'journal');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(journalDir);
    // PID 1 of the namespace: when it ends, journald ends with it.
    const ns = spawn('unshare', ['--mount', '--fork', '--pid', '--mount-proc', 'sh', '-c', NS_SCRIPT, 'sh', journalDir], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    ns.stdout.on('data', (c: Buffer) => (out += c.toString()));
    try {
      await until(() => out.includes('ready'));
      // journalctl -D gives up on a directory with no journal file yet.
      const { readdirSync } = await import('node:fs');
      await until(() => (readdirSync(journalDir, { recursive: true }) as string[]).some((f) => f.endsWith('.journal')));
      const cfg = loadMonitorFile(join(NPD_DIR, 'docker-monitor.json')) as LogMonitorConfig;
      const sink = new RecordingSink();
      const m = new SystemLogMonitor({ ...cfg, logPath: journalDir }, { clock: { now: () => Date.now() }, logger: silentLogger, runner: new ProcessRunner(), spawnStream, bootTimeMs: () => 0 });
      await m.start(sink);
      try {
        ns.stdin.write('level=info msg="Loading containers: start."\n');
        ns.stdin.write('OCI runtime start failed: container process is already dead: unknown\n');
        ns.stdin.write('Handler for POST /v1.41/containers/abc/start returned error: readlink /var/lib/docker/overlay2/l/XYZ: invalid argument\n');
        await until(() => sink.events.length >= 1 && sink.updates.length >= 1);
      } finally {
        await m.stop();
      }
      expect(sink.events.map((e) => e.reason)).toEqual(['DockerContainerStartupFailure']);
      expect(sink.updates.map((u) => [u.type, u.reason])).toEqual([['CorruptDockerOverlay2', 'CorruptDockerOverlay2']]);
      // --once reads the same journal through the runner.
      const once = new RecordingSink();
      await new SystemLogMonitor({ ...cfg, logPath: journalDir }, { clock: { now: () => Date.now() }, logger: silentLogger, runner: new ProcessRunner(), spawnStream, bootTimeMs: () => 0 }).runOnce(once);
      expect(once.events.map((e) => e.reason)).toEqual(['DockerContainerStartupFailure']);
    } finally {
      ns.stdin.end();
      ns.kill('SIGKILL');
      await new Promise((r) => ns.once('close', r));
    }
  });
});
