// A fatal start-up error is one line naming the path or flag and a non-zero
// exit, so systemd's Restart= acts and `systemctl status` shows why. Each case
// spawns the real built agent; the test asserts that it exits and what it
// printed (the vitest timeout only bounds a hang).
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runProgram } from '../support/programs.js';
import { makeTempDir } from '../support/tmp.js';

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function dirs(): { root: string; state: string; etc: string } {
  const tmp = makeTempDir('hp-startup-');
  cleanups.push(tmp.remove);
  const etc = join(tmp.dir, 'etc');
  mkdirSync(etc);
  return { root: tmp.dir, state: join(tmp.dir, 'state'), etc };
}

/** The agent with nothing but the flags under test; the coordinator is never reached. */
async function run(extra: string[], d = dirs()): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return runProgram('agent', [
    'run', '--coordinator', '127.0.0.1:9', '--metrics-listen', '127.0.0.1:0', '--node-id', 'startup-test', '--log-level', 'error',
    '--monitors-dir', join(d.root, 'no-monitors'), '--state-dir', d.state, '--config-dir', d.etc, ...extra,
  ]);
}

function oneLine(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l !== '');
  expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/^\s+at /m);
  return lines[0]!;
}

describe('fatal start-up errors: one line, non-zero exit', () => {
  it('a state dir that cannot be created names --state-dir and the path', async () => {
    const d = dirs();
    writeFileSync(join(d.root, 'file'), '');
    const state = join(d.root, 'file', 'state');
    const r = await run(['--state-dir', state], d);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toBe(`hostpilot-agent: --state-dir ${state}: cannot use it: ENOTDIR`);
  });

  it('a state dir that cannot be written names --state-dir', async () => {
    const d = dirs();
    mkdirSync(d.state);
    // Root writes through a 0500 directory, so make its probe's name a directory instead: the write fails as on a read-only mount.
    mkdirSync(join(d.state, '.hostpilot-write-probe'));
    writeFileSync(join(d.state, '.hostpilot-write-probe', 'x'), '');
    chmodSync(d.state, 0o500);
    cleanups.push(() => chmodSync(d.state, 0o700));
    const r = await run([], d);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toMatch(new RegExp(`^hostpilot-agent: --state-dir ${d.state}: cannot use it: E[A-Z]+$`));
  });

  it('an unreadable reboot-flow state file names the file', async () => {
    const d = dirs();
    mkdirSync(join(d.state, 'reboot-flow.json'), { recursive: true });
    const r = await run([], d);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toBe(`hostpilot-agent: ${join(d.state, 'reboot-flow.json')}: cannot read the reboot flow's state: EISDIR`);
  });

  it('a corrupt reboot-flow state file names the file', async () => {
    const d = dirs();
    mkdirSync(d.state);
    writeFileSync(join(d.state, 'reboot-flow.json'), '{"state":');
    const r = await run([], d);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toBe(`hostpilot-agent: ${join(d.state, 'reboot-flow.json')}: not a reboot-flow state file`);
  });

  it('a metrics port in use names --metrics-listen', async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const port = (server.address() as { port: number }).port;
    const r = await run(['--metrics-listen', `127.0.0.1:${port}`]);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toBe(`hostpilot-agent: --metrics-listen 127.0.0.1:${port}: address already in use`);
  });

  it('an unknown key in agent.json names the file and the key', async () => {
    const d = dirs();
    writeFileSync(join(d.etc, 'agent.json'), JSON.stringify({ unitz: { watch: ['kubelet.service'] } }));
    const r = await run([], d);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toBe(`hostpilot-agent: ${join(d.etc, 'agent.json')}: unitz: unknown key (known: units, podNetwork, remediation)`);
  });

  it('a remediation state file that is not its own stops the agent, naming it', async () => {
    const d = dirs();
    mkdirSync(d.state, { recursive: true });
    writeFileSync(join(d.state, 'remediation.json'), '{"records": "x"}');
    const r = await run([], d);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toBe(`hostpilot-agent: ${join(d.state, 'remediation.json')}: not a remediation state file`);
  });

  it('a bad podNetwork value in agent.json names the field (with --pod-network)', async () => {
    const d = dirs();
    writeFileSync(join(d.etc, 'agent.json'), JSON.stringify({ podNetwork: { mode: 'routed', podBlock: '10.244.1.0/26', routerId: '10.99.0.11', localAsn: 70000000000, bgp: [{ name: 'tor', address: '10.99.0.1', asn: 65000 }] } }));
    const r = await run(['--pod-network'], d);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toBe('hostpilot-agent: podNetwork.localAsn: 70000000000 must be an integer from 1 to 4294967294');
  });

  it('a bad value in agent.json names the file and the field', async () => {
    const d = dirs();
    writeFileSync(join(d.etc, 'agent.json'), JSON.stringify({ units: { watch: 'kubelet.service' } }));
    const r = await run([], d);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toBe(`hostpilot-agent: ${join(d.etc, 'agent.json')}: units.watch: must be a list of unit names`);
  });

  it('agent.json that is not JSON names the file', async () => {
    const d = dirs();
    writeFileSync(join(d.etc, 'agent.json'), '{units');
    const r = await run([], d);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toMatch(new RegExp(`^hostpilot-agent: ${join(d.etc, 'agent.json')}: not valid JSON: `));
  });

  it('an unknown key or a bad type in storage.json names the file and the key', async () => {
    const d = dirs();
    const file = join(d.etc, 'storage.json');
    writeFileSync(file, JSON.stringify({ devices: ['/dev/vdb'], thinpool: 'x' }));
    let r = await run([], d);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toMatch(new RegExp(`^hostpilot-agent: ${file}: thinpool: unknown setting`));
    writeFileSync(file, JSON.stringify({ devices: ['/dev/vdb'], growPool: 'yes' }));
    r = await run([], d);
    expect(oneLine(r.stderr)).toBe(`hostpilot-agent: ${file}: growPool: must be true or false`);
  });

  it('a bad monitor file names the file and the field', async () => {
    const d = dirs();
    mkdirSync(join(d.etc, 'monitors.d'));
    const file = join(d.etc, 'monitors.d', 'bad.json');
    writeFileSync(file, JSON.stringify({ plugin: 'custom', source: 'bad', rules: [{ type: 'sometimes', reason: 'R', path: '/bin/true' }] }));
    const r = await run(['--monitors-dir', join(d.etc, 'monitors.d')], d);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toBe(`hostpilot-agent: ${file}: rules[0].type: must be "temporary" or "permanent", not "sometimes"`);
  });

  it('a --storage-config file that does not exist names the file', async () => {
    const d = dirs();
    const file = join(d.root, 'nope.json');
    const r = await run(['--storage-config', file], d);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toBe(`hostpilot-agent: ${file}: cannot read: ENOENT`);
  });
});
