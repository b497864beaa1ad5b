// Every program answers --help, and a bad flag gives one line on stderr and a non-zero exit.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { ROOT, runProgram } from '../support/programs.js';

const programs = [
  ['coordinator', []],
  ['agent', ['run']],
  ['ctl', ['locks', 'list']],
] as const;

describe('command lines', () => {
  it.each(programs)('%s %j --help prints usage and exits 0', async (program, prefix) => {
    const r = await runProgram(program, [...prefix, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: /);
  });

  it.each(programs)('%s %j with a bad flag: one line, exit 2', async (program, prefix) => {
    const r = await runProgram(program, [...prefix, '--no-such-flag']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--no-such-flag/);
  });

  it.each([
    ['coordinator', ['--group', 'bad_name=2'], /--group/],
    ['coordinator', ['--group', 'default=0'], /--group default/],
    ['coordinator', ['--http-listen', '10.1.2.3:80'], /not a loopback address/],
    ['coordinator', ['--lock-ttl', 'soon'], /--lock-ttl/],
    ['coordinator', ['--store', 'postgres://x'], /--store/],
    ['agent', ['run', '--node-id', '-x'], /--node-id/],
    ['agent', ['run', '--label', 'novalue'], /--label/],
    ['agent', ['run', '--coordinator', 'nohostport'], /--coordinator/],
    ['ctl', ['locks', 'release'], /exactly one NODE/],
    ['ctl', ['locks', 'release', 'n1', '--group', 'bad_group'], /--group/],
    ['ctl', ['nodes', 'list', '--output', 'xml'], /--output/],
    ['ctl', ['frobnicate'], /unknown command/],
    ['ctl', ['rollout', 'create', '--target', '2', '--strategy', 'rack'], /strategy: "rack" is not/],
    ['ctl', ['rollout', 'create', '--target', '2', '--max-unavailable', '0'], /max_unavailable/],
    ['ctl', ['rollout', 'create', '--target', '2', '--window', 'Mon 25:00-26:00'], /windows\[0\]/],
    ['ctl', ['rollout', 'create', '--target', 'a b'], /target/],
    ['agent', ['frobnicate'], /unknown command/],
  ] as const)('%s %j is refused naming the problem', async (program, args, message) => {
    const r = await runProgram(program, [...args]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it.each([['os', 'status'], ['problems', 'list'], ['units', 'status'], ['storage', 'status'], ['net', 'pods'], ['k8s', 'drain']])('agent %s %s with a bad flag: one line, exit 2', async (...words) => {
    const r = await runProgram('agent', [...words, '--no-such-flag']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--no-such-flag/);
  });

  it('hostpilot-cni with a flag: one line, exit 2 (runtimes pass none)', () => {
    const r = spawnSync(process.execPath, [`${ROOT}dist/agent/net/cni-main.js`, '--no-such-flag'], { encoding: 'utf8', input: '' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--no-such-flag/);
  });

  it('hostpilotctl says the coordinator is unreachable in one line', async () => {
    const r = await runProgram('ctl', ['nodes', 'list', '--coordinator', '127.0.0.1:1', '--timeout', '2s']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unreachable/);
  });
});
