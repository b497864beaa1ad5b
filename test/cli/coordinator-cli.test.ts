// The coordinator's command line (issue 14): a bad --store path or
// --notify-url is one line, --log-format text|json, every option's default in
// --help, and --notify-url wired end to end (a real coordinator process posts
// to a receiver when hostpilotctl frees a lock).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, runProgram, spawnProgram } from '../support/programs.js';
import { makeTempDir, waitFor } from '../support/tmp.js';
import { startReceiver } from '../support/webhook-receiver.js';

const tmp = makeTempDir('hostpilot-coord-cli-');
afterAll(() => tmp.remove());

async function ports(): Promise<string[]> {
  return ['--grpc-listen', `127.0.0.1:${await freePort()}`, '--http-listen', `127.0.0.1:${await freePort()}`];
}

describe('hostpilot-coordinator command line', () => {
  it.each<[string, () => string, RegExp]>([
    ['a path under a file', () => 'sqlite:/etc/hostname/coordinator.db', /--store|sqlite:\/etc\/hostname\/coordinator\.db/],
    ['a directory', () => `sqlite:${tmp.dir}`, new RegExp(`sqlite:${tmp.dir}`)],
    [
      'a file that is not a database',
      () => {
        mkdirSync(join(tmp.dir, 'junk'), { recursive: true });
        writeFileSync(join(tmp.dir, 'junk', 'x.db'), 'not sqlite '.repeat(200));
        return `sqlite:${join(tmp.dir, 'junk', 'x.db')}`;
      },
      /x\.db/,
    ],
  ])('a bad --store (%s) is one line and a non-zero exit', async (_what, store, message) => {
    const r = await runProgram('coordinator', ['--store', store(), ...(await ports())]);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it.each<[string, string[], RegExp]>([
    ['--notify-url ftp://...', ['--notify-url', 'ftp://hooks.example.com/x'], /--notify-url: .*http or https/],
    ['--notify-url without a scheme', ['--notify-url', 'hooks.example.com/x'], /--notify-url: .*not a URL/],
    ['--notify-url of 2,100 characters', ['--notify-url', `https://example.com/${'a'.repeat(2100)}`], /--notify-url: .*longer than 2048/],
    ['--log-format xml', ['--log-format', 'xml'], /--log-format: "xml" is not one of json, text/],
  ])('%s is refused in one line, exit 2', async (_what, args, message) => {
    const r = await runProgram('coordinator', [...args, '--store', `sqlite:${join(tmp.dir, 'refused.db')}`]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it('hostpilot-agent run --log-format xml is refused in one line, exit 2', async () => {
    const r = await runProgram('agent', ['run', '--log-format', 'xml']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--log-format/);
  });

  it('shows a default for every option in --help', async () => {
    const r = await runProgram('coordinator', ['--help']);
    const lines = r.stdout.split('\n').filter((l) => /^  -/.test(l) && !/--help|--version/.test(l));
    expect(lines.length).toBeGreaterThan(20);
    for (const line of lines) expect(line).toMatch(/\[[^\]]+\]$/);
  });

  it('logs JSON lines when stdout is not a terminal, text lines with --log-format text', async () => {
    for (const [extra, json] of [[[], true], [['--log-format', 'text'], false]] as const) {
      const p = spawnProgram('coordinator', ['--store', `sqlite:${join(tmp.dir, `log-${json}.db`)}`, ...(await ports()), ...extra]);
      try {
        await p.waitForOutput('coordinator serving');
        const line = p.output().split('\n').find((l) => l.includes('coordinator serving'))!;
        if (json) expect(JSON.parse(line)).toMatchObject({ level: 'info', msg: 'coordinator serving' });
        else expect(line).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z INFO  coordinator serving component=coordinator grpc=127\.0\.0\.1:\d+ /);
      } finally {
        await p.kill();
      }
    }
  });

  it('posts a webhook event when an operator frees a lock (a real coordinator and hostpilotctl)', async () => {
    const receiver = await startReceiver();
    const grpc = await freePort();
    const http = await freePort();
    const p = spawnProgram('coordinator', ['--store', `sqlite:${join(tmp.dir, 'notify.db')}`, '--grpc-listen', `127.0.0.1:${grpc}`, '--http-listen', `127.0.0.1:${http}`, '--notify-url', receiver.url]);
    try {
      await p.waitForOutput('coordinator serving');
      const res = await fetch(`http://127.0.0.1:${http}/v1/pre-reboot`, { method: 'POST', headers: { 'fleet-lock-protocol': 'true' }, body: JSON.stringify({ client_params: { id: 'zincati-1', group: 'default' } }) });
      expect(res.status).toBe(200);
      const r = await runProgram('ctl', ['locks', 'release', 'zincati-1', '--coordinator', `127.0.0.1:${grpc}`]);
      expect(r.code).toBe(0);
      await waitFor(() => receiver.bodies.length === 1, 'the lock.forceReleased event');
      expect(receiver.bodies[0]).toMatchObject({ event: 'lock.forceReleased', node: 'zincati-1', group: 'default' });
      const metrics = await (await fetch(`http://127.0.0.1:${http}/metrics`)).text();
      expect(metrics).toMatch(/^hostpilot_notifications_total\{result="sent"\} 1$/m);
    } finally {
      await p.kill();
      await receiver.close();
    }
  });
});
