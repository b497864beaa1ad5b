// `hostpilot-agent problems` in-process.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../common/cli.js';
import { command } from '../../agent/cli/problems.js';
import type { CommandIo } from '../../agent/cli/command.js';
import { FIXTURES, NPD_DIR, tempDir } from './helpers.js';

function capture(): CommandIo & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', out: (s: string) => void (io.stdout += s + '\n'), err: (s: string) => void (io.stderr += s + '\n') };
  return io;
}

let t: { dir: string; cleanup(): void };
beforeEach(() => {
  t = tempDir();
});
afterEach(() => t.cleanup());

describe('problems check', () => {
  it('accepts every NPD config', async () => {
    const io = capture();
    expect(await command.main(['check', NPD_DIR], io)).toBe(0);
    expect(io.stdout.split('\n').filter((l) => l.startsWith('ok ')).length).toBe(8);
    expect(io.stdout).toContain('kernel-monitor.json: plugin kmsg, source kernel-monitor, 3 conditions, 14 rules');
  });

  it('names the file and the field, exits 1', async () => {
    const bad = join(t.dir, 'bad.json');
    const cfg = JSON.parse(readFileSync(join(NPD_DIR, 'kernel-monitor.json'), 'utf8'));
    cfg.rules[3].pattern = 'BUG: unable to handle (kernel';
    writeFileSync(bad, JSON.stringify(cfg));
    const io = capture();
    expect(await command.main(['check', bad], io)).toBe(1);
    expect(io.stderr).toMatch(new RegExp(`^invalid ${bad}: rules\\[3\\]\\.pattern: is not a valid regular expression`));
  });

  it('prints warnings for unknown fields', async () => {
    const f = join(t.dir, 'w.json');
    writeFileSync(f, JSON.stringify({ plugin: 'kmsg', source: 'x', rules: [], bufferSize: 5, bufsize: 3 }));
    const io = capture();
    expect(await command.main(['check', f], io)).toBe(0);
    expect(io.stdout).toContain('  warning: bufsize: unknown field, ignored');
  });

  it('usage errors', async () => {
    await expect(command.main(['check'], capture())).rejects.toThrow(UsageError);
    await expect(command.main(['list', '--bogus'], capture())).rejects.toThrow(UsageError);
    await expect(command.main(['frobnicate'], capture())).rejects.toThrow(/unknown subcommand "frobnicate"/);
    const io = capture();
    expect(await command.main(['--help'], io)).toBe(0);
    expect(io.stdout).toContain('problems run CONFIG...');
  });
});

describe('problems run --once', () => {
  it('reads a file of kmsg records through kernel-monitor.json and prints conditions and events as JSON', async () => {
    const log = join(t.dir, 'kmsg.txt');
    writeFileSync(log, readFileSync(join(FIXTURES, 'kmsg-oom-kill.txt'), 'utf8') + readFileSync(join(FIXTURES, 'dmesg-kernel-errors.txt'), 'utf8'));
    const io = capture();
    const code = await command.main(['run', join(NPD_DIR, 'kernel-monitor.json'), join(NPD_DIR, 'readonly-monitor.json'), '--once', '--json', '--log-path', log], io);
    expect(code).toBe(1); // a problem is active
    const out = JSON.parse(io.stdout) as { conditions: { type: string; status: boolean }[]; events: { reason: string }[] };
    expect(out.conditions.filter((c) => c.status).map((c) => c.type)).toEqual(['XfsShutdown', 'ReadonlyFilesystem']);
    expect(out.events.map((e) => e.reason)).toContain('OOMKilling');
  });

  it('text output, exit 0 when nothing is wrong', async () => {
    const log = join(t.dir, 'quiet.txt');
    writeFileSync(log, '6,1,1,-;Linux version 6.1.0\n');
    const io = capture();
    expect(await command.main(['run', join(NPD_DIR, 'kernel-monitor.json'), '--once', '--log-path', log], io)).toBe(0);
    expect(io.stdout).toMatch(/^CONDITION\s+STATUS\s+REASON/);
    expect(io.stdout).toContain('no events');
  });

  it('--state keeps what it found for `problems list`', async () => {
    const log = join(t.dir, 'kmsg.txt');
    writeFileSync(log, '3,1,1,-;XFS (dm-4): Corruption of in-memory data detected.  Shutting down filesystem\n');
    const state = join(t.dir, 'state.json');
    await command.main(['run', join(NPD_DIR, 'kernel-monitor.json'), '--once', '--log-path', log, '--state', state], capture());
    const io = capture();
    expect(await command.main(['list', '--json', '--state', state], io)).toBe(0);
    const conds = JSON.parse(io.stdout) as { type: string; status: boolean; reason: string }[];
    expect(conds.find((c) => c.type === 'XfsShutdown')).toMatchObject({ status: true, reason: 'XfsHasShutdown' });
    const text = capture();
    await command.main(['list', '--state', state], text);
    expect(text.stdout).toMatch(/XfsShutdown\s+True\s+XfsHasShutdown/);
  });

  it('list without state says so', async () => {
    const io = capture();
    expect(await command.main(['list', '--state', join(t.dir, 'none.json')], io)).toBe(1);
    expect(io.stderr).toMatch(/no problem state at/);
  });

  it('a bad config in run is an error naming the field', async () => {
    const f = join(t.dir, 'm.json');
    copyFileSync(join(NPD_DIR, 'kernel-monitor.json'), f);
    const cfg = JSON.parse(readFileSync(f, 'utf8'));
    cfg.lookback = 'a while';
    writeFileSync(f, JSON.stringify(cfg));
    await expect(command.main(['run', f, '--once'], capture())).rejects.toThrow(`${f}: lookback: "a while" is not a duration`);
  });
});
