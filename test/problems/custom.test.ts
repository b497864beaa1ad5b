// Custom plugins through the real command runner: every exit code, a timeout,
// the output cap, bounded concurrency, and NPD's custom-plugin-monitor.json.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProcessRunner, type CommandResult, type CommandRunner, type CommandSpec } from '../../common/exec/runner.js';
import { silentLogger } from '../../common/log.js';
import { parseMonitorConfig, type CustomMonitorConfig } from '../../agent/problems/config.js';
import { CustomPluginMonitor, interpretRound, runPlugin } from '../../agent/problems/custom.js';
import { ProblemDetector } from '../../agent/problems/detector.js';
import { NPD_DIR, RecordingSink, tempDir } from './helpers.js';

let t: { dir: string; cleanup(): void };
beforeEach(() => {
  t = tempDir();
});
afterEach(() => t.cleanup());

function script(name: string, body: string): string {
  const p = join(t.dir, name);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return p;
}

function config(rules: unknown[], pluginConfig: Record<string, unknown> = {}): CustomMonitorConfig {
  return parseMonitorConfig({
    plugin: 'custom',
    source: 'test-plugins',
    pluginConfig: { timeout: '5s', ...pluginConfig },
    conditions: [{ type: 'NTPProblem', reason: 'NTPIsUp', message: 'ntp service is up' }],
    rules,
  }) as CustomMonitorConfig;
}

const runner = new ProcessRunner();

describe('one plugin run', () => {
  it.each([
    [0, 'ok'],
    [1, 'problem'],
    [2, 'unknown'],
    [3, 'unknown'],
    [127, 'unknown'],
  ])('exit %i is %s, stdout is the message', async (code, status) => {
    const path = script(`exit${code}.sh`, `echo "said ${code}"; exit ${code}`);
    const r = await runPlugin(runner, { kind: 'permanent', condition: 'NTPProblem', reason: 'NTPIsDown', path, args: [], timeoutMs: 5000 }, 80);
    expect(r).toEqual({ status, message: `said ${code}` });
  });

  it('a timeout is unknown, and kills the plugin', async () => {
    const pidFile = join(t.dir, 'pid');
    const path = script('slow.sh', `echo $$ > ${pidFile}; exec sleep 30`);
    const r = await runPlugin(runner, { kind: 'permanent', condition: 'NTPProblem', reason: 'NTPIsDown', path, args: [], timeoutMs: 300 }, 80);
    expect(r.status).toBe('unknown');
    expect(r.message).toMatch(/^timeout when running plugin .*slow\.sh: timed out after 300 ms$/);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
  });

  it('a missing plugin is unknown', async () => {
    const r = await runPlugin(runner, { kind: 'permanent', condition: 'NTPProblem', reason: 'NTPIsDown', path: join(t.dir, 'nope'), args: [], timeoutMs: 1000 }, 80);
    expect(r).toMatchObject({ status: 'unknown' });
    expect(r.message).toMatch(/cannot run plugin .*nope: .*command not found/);
  });

  it('cuts stdout to max_output_length and passes args', async () => {
    const path = script('long.sh', 'printf "%s-" "$1"; head -c 100000 /dev/zero | tr "\\\\0" x; exit 1');
    const r = await runPlugin(runner, { kind: 'temporary', reason: 'R', path, args: ['arg one'], timeoutMs: 5000 }, 20);
    expect(r).toEqual({ status: 'problem', message: 'arg one-' + 'x'.repeat(12) });
  });
});

describe('rounds', () => {
  it('a permanent condition is a problem if any rule says so, unknown if any cannot tell, else OK', () => {
    const cfg = config([
      { type: 'permanent', condition: 'NTPProblem', reason: 'A', path: '/a' },
      { type: 'permanent', condition: 'NTPProblem', reason: 'B', path: '/b' },
      { type: 'temporary', reason: 'T', path: '/t' },
    ]);
    const ok = { status: 'ok' as const, message: '' };
    expect(interpretRound(cfg, [ok, ok, ok])).toEqual({ updates: [{ source: 'test-plugins', type: 'NTPProblem', status: false, reason: 'NTPIsUp', message: 'ntp service is up' }], events: [] });
    expect(interpretRound(cfg, [{ status: 'unknown', message: 'eh' }, { status: 'problem', message: 'down' }, { status: 'problem', message: 'tmp' }])).toEqual({
      updates: [{ source: 'test-plugins', type: 'NTPProblem', status: true, reason: 'B', message: 'down' }],
      events: [{ reason: 'T', message: 'tmp' }],
    });
    expect(interpretRound(cfg, [{ status: 'unknown', message: 'eh' }, ok, ok]).updates).toEqual([{ source: 'test-plugins', type: 'NTPProblem', status: true, unknown: true, reason: 'A', message: 'eh' }]);
  });

  it('runs at most `concurrency` plugins at a time', async () => {
    let inFlight = 0;
    let most = 0;
    const counting: CommandRunner = {
      async run(spec: CommandSpec): Promise<CommandResult> {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight -= 1;
        return { argv: spec.argv, exitCode: 0, stdout: '', stderr: '', truncated: false, durationMs: 5 };
      },
    };
    const rules = Array.from({ length: 9 }, (_, i) => ({ type: 'temporary', reason: `R${i}`, path: `/p${i}` }));
    const m = new CustomPluginMonitor(config(rules, { concurrency: 2 }), { runner: counting, logger: silentLogger });
    await m.runOnce(new RecordingSink());
    expect(most).toBe(2);
  });

  it('a real round through the monitor: exit 1 sets the condition, a temporary failure is an event', async () => {
    const down = script('down.sh', 'echo "NTP is down"; exit 1');
    const cfg = config([
      { type: 'temporary', reason: 'NTPIsDown', path: down },
      { type: 'permanent', condition: 'NTPProblem', reason: 'NTPIsDown', path: down },
    ]);
    const sink = new RecordingSink();
    await new CustomPluginMonitor(cfg, { runner, logger: silentLogger }).runOnce(sink);
    expect(sink.updates).toEqual([{ source: 'test-plugins', type: 'NTPProblem', status: true, reason: 'NTPIsDown', message: 'NTP is down' }]);
    expect(sink.events).toEqual([{ source: 'test-plugins', reason: 'NTPIsDown', message: 'NTP is down' }]);
  });
});

describe('schedules', () => {
  it('each rule runs on its own interval (rules[].interval), never overlapping itself', async () => {
    vi.useFakeTimers();
    try {
      const calls: string[] = [];
      const fake: CommandRunner = {
        async run(spec: CommandSpec): Promise<CommandResult> {
          calls.push(spec.argv[0]!);
          return { argv: spec.argv, exitCode: spec.argv[0] === '/fast' ? 1 : 0, stdout: spec.argv[0]!, stderr: '', truncated: false, durationMs: 0 };
        },
      };
      const cfg = config(
        [
          { type: 'temporary', reason: 'Fast', path: '/fast', interval: '1s' },
          { type: 'permanent', condition: 'NTPProblem', reason: 'NTPIsDown', path: '/slow' },
        ],
        { invoke_interval: '1h' },
      );
      expect(cfg.rules[0]!.intervalMs).toBe(1000);
      const sink = new RecordingSink();
      const m = new CustomPluginMonitor(cfg, { runner: fake, logger: silentLogger });
      await m.start(sink);
      expect(calls.sort()).toEqual(['/fast', '/slow']);
      expect(sink.updates).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(3000);
      await m.stop();
      expect(calls.filter((c) => c === '/fast')).toHaveLength(4);
      expect(calls.filter((c) => c === '/slow')).toHaveLength(1);
      // The slow rule's condition was reported once; the fast rule's runs made events only.
      expect(sink.updates).toHaveLength(1);
      expect(sink.events.map((e) => e.reason)).toEqual(['Fast', 'Fast', 'Fast', 'Fast']);
      await vi.advanceTimersByTimeAsync(5000);
      expect(calls).toHaveLength(5); // stopped
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("NPD's custom-plugin-monitor.json", () => {
  it('runs its check_ntp.sh (relative to the config file) and sets NTPProblem', async () => {
    // NPD's config names ./config/plugin/check_ntp.sh; give it one next to the copied file.
    writeFileSync(join(t.dir, 'custom-plugin-monitor.json'), readFileSync(join(NPD_DIR, 'custom-plugin-monitor.json')));
    mkdirSync(join(t.dir, 'config', 'plugin'), { recursive: true });
    const flag = join(t.dir, 'ntp-down');
    const p = join(t.dir, 'config', 'plugin', 'check_ntp.sh');
    writeFileSync(p, `#!/bin/sh\nif [ -e ${flag} ]; then echo "NTP is down"; exit 1; fi\necho "NTP is up"; exit 0\n`);
    chmodSync(p, 0o755);
    const d = new ProblemDetector({ configPaths: [t.dir], runner, registry: new Registry(), logger: silentLogger, bootId: 'b' });
    await d.runOnce();
    expect(d.activeProblems()).toEqual([]);
    writeFileSync(flag, '');
    await d.runOnce();
    expect(d.activeProblems()).toMatchObject([{ type: 'NTPProblem', status: 'True', reason: 'NTPIsDown', message: 'NTP is down' }]);
    // The condition turning true, and the temporary rule's own event (same reason, coalesced into the window's second event).
    expect(d.events().map((e) => [e.reason, e.count])).toEqual([['NTPIsDown', 1], ['NTPIsDown', 1]]);
  });
});
