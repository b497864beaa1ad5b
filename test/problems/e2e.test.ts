// The built CLI (`npm run build` first; CI builds dist/ before the tests):
// `problems run` in the foreground follows a log and stops cleanly on SIGTERM.
import { spawn } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NPD_DIR, tempDir, until } from './helpers.js';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'agent', 'main.js');

let t: { dir: string; cleanup(): void };
beforeEach(() => {
  t = tempDir();
});
afterEach(() => t.cleanup());

describe('hostpilot-agent problems (built)', () => {
  it('run follows a kmsg file, prints events and condition changes as JSON lines, exits 0 on SIGTERM', async () => {
    const log = join(t.dir, 'kmsg');
    writeFileSync(log, '');
    const child = spawn(process.execPath, [MAIN, 'problems', 'run', join(NPD_DIR, 'kernel-monitor.json'), '--json', '--log-path', log], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const closed = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
    try {
      await until(() => out.includes('"kind":"conditions"'));
      appendFileSync(log, '3,432,544137874,-;Memory cgroup out of memory: Killed process 17759 (python3) total-vm:58712kB, anon-rss:48768kB, file-rss:6792kB, shmem-rss:0kB, UID:0 pgtables:152kB oom_score_adj:0\n');
      appendFileSync(log, '4,9,9,-;INFO: task docker:20744 blocked for more than 120 seconds.\n');
      await until(() => out.includes('"reason":"DockerHung"') && out.includes('"reason":"OOMKilling"'));
      child.kill('SIGTERM');
      expect(await closed).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as { kind: string; type?: string; status?: boolean; reason?: string });
    expect(lines[0]!.kind).toBe('conditions');
    expect(lines.filter((l) => l.kind === 'condition').map((l) => `${l.type}=${l.status}`)).toEqual(['KernelDeadlock=true']);
    expect(lines.filter((l) => l.kind === 'event').map((l) => l.reason).sort()).toEqual(['DockerHung', 'OOMKilling', 'TaskHung']);
    expect(err).toBe('');
  });

  it('check exits 1 with one line naming the field; a bad flag exits 2', async () => {
    const bad = join(t.dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ plugin: 'kmsg', source: 'x', rules: [{ type: 'temporary', reason: 'R', pattern: '(' }] }));
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const c = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        c.once('close', (code) => resolve({ code, stderr }));
      });
    const r = await run(['problems', 'check', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^invalid ${bad}: rules\\[0\\]\\.pattern: is not a valid regular expression: .*\\n$`));
    const u = await run(['problems', 'run', '--bogus']);
    expect(u.code).toBe(2);
    expect(u.stderr.trim().split('\n')).toHaveLength(1);
  });
});
