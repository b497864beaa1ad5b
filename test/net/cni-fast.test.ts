// The fast CNI path against the real kernel: the built thin client
// (dist/native/hostpilot-cni) run as a runtime runs it, inside the host
// namespace, forwarding to a CniSocketServer backed by the plugin logic; the
// Node.js fallback when nobody listens; malformed and garbage input.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessRunner } from '../../common/exec/runner.js';
import type { CniReply } from '../../agent/net/plugin.js';
import { agentCniPlugin } from '../../agent/net/agent-plugin.js';
import { CniSocketServer, MAX_REQUEST_BYTES, parseCniRequest } from '../../agent/net/cni-server.js';
import { spawnStream, type StreamSpec } from '../../common/exec/stream.js';
import { describeWith } from '../support/components.js';
import { NetnsRunner, Rack } from './netns-support.js';

const CLIENT = resolve('dist/native/hostpilot-cni');
// Tests load the sources, whose relative path to dist/native/ does not hold.
export const NET_HELPER = resolve('dist/native/hostpilot-nethelper');

function rawRequest(path: string, payload: Buffer): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(path, () => socket.end(payload));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolvePromise(Buffer.concat(chunks)));
  });
}

describe('CNI request framing', () => {
  it('reads the CNI_* variables, then stdin', () => {
    const buf = Buffer.from('CNI_COMMAND=ADD\0CNI_ARGS=a=b;c=d\0\0{"x":1}');
    expect(parseCniRequest(buf)).toEqual({ env: { CNI_COMMAND: 'ADD', CNI_ARGS: 'a=b;c=d' }, stdin: '{"x":1}' });
  });
  it.each([
    ['CNI_COMMAND=ADD', 'the environment is not terminated'],
    ['PATH=/bin\0\0{}', '"PATH=/bin" is not a CNI_* variable'],
    ['noequals\0\0', '"noequals" is not a CNI_* variable'],
  ])('rejects %j', (text, message) => {
    expect(() => parseCniRequest(Buffer.from(text))).toThrow(message);
  });
});

describeWith(['ip', 'root', 'nsenter', 'ping', 'sysctl', 'host-local', 'cc'], 'fast CNI path: thin client, agent socket, fallback', () => {
  const rack = new Rack();
  const socketPath = join(rack.dir, 'cni.sock');
  let served = 0;
  let server: CniSocketServer;
  // The plugin as the agent builds it, its long-lived children (host-side `ip -batch`, the
  // native helper) in the rack's host namespace; ip spawns counted.
  let ipSpawns = 0;
  const cni = agentCniPlugin(new NetnsRunner(rack.runner, rack.host), {
    helperPath: NET_HELPER,
    spawn: (spec: StreamSpec) => {
      if (spec.argv[0] === 'ip') ipSpawns++;
      return spawnStream({ ...spec, argv: ['ip', 'netns', 'exec', rack.host, ...spec.argv] });
    },
  });
  const plugin = cni.plugin;
  const hostIp = { run: cni.hostBatch, close: cni.close };
  const handler = {
    handle: (env: Record<string, string | undefined>, stdin: string): Promise<CniReply> => {
      served++;
      return plugin.handle(env, stdin);
    },
  };
  const netnsPaths = new Map<string, string>();

  async function client(command: string, id: string, conf: Record<string, unknown> | Buffer | string, env: Record<string, string> = {}) {
    const result = await rack.runner.run({
      argv: ['ip', 'netns', 'exec', rack.host, CLIENT],
      env: { CNI_COMMAND: command, CNI_CONTAINERID: id, CNI_NETNS: netnsPaths.get(id) ?? '/nonexistent', CNI_IFNAME: 'eth0', CNI_PATH: '/usr/lib/cni', ...env },
      input: Buffer.isBuffer(conf) || typeof conf === 'string' ? conf : JSON.stringify(conf),
      okExitCodes: [0, 1],
      timeoutMs: 120_000,
    });
    return { exitCode: result.exitCode, stdout: result.stdout.trim() };
  }

  const conf = () => rack.conf({ agentSocket: socketPath });

  beforeAll(async () => {
    if (!existsSync(CLIENT)) throw new Error(`${CLIENT} is missing: run "npm run build" first`);
    // Without the helper the agent would exec host-local and nsenter per call: not the path under test.
    if (!cni.nativeHelper) throw new Error('dist/native/hostpilot-nethelper is missing: run "npm run build" first');
    try {
      await rack.setUp();
      for (let i = 0; i < 76; i++) netnsPaths.set(`ctr-${i}`, await rack.addNetns(rack.podNetns(`p${i}`)));
    } catch (err) {
      await rack.tearDown();
      throw err;
    }
    server = new CniSocketServer(handler, socketPath);
    await server.listen();
  }, 180_000);

  afterAll(async () => {
    await server?.close();
    await hostIp.close();
    await rack.tearDown();
  }, 120_000);

  it('forwards ADD, CHECK and DEL to the agent, which answers with the plugin result', async () => {
    const before = served;
    const add = await client('ADD', 'ctr-0', conf());
    expect(add.exitCode, add.stdout).toBe(0);
    const result = JSON.parse(add.stdout) as { ips: { address: string }[] };
    expect(result.ips[0]!.address).toMatch(/^10\.10\.0\.\d+\/22$/);
    expect(await rack.ping(rack.tor, result.ips[0]!.address.split('/')[0]!)).toBe(true);
    expect((await client('CHECK', 'ctr-0', { ...conf(), prevResult: result })).exitCode).toBe(0);
    expect(await client('DEL', 'ctr-0', conf())).toEqual({ exitCode: 0, stdout: '' });
    // DEL is idempotent through the agent.
    expect(await client('DEL', 'ctr-0', conf())).toEqual({ exitCode: 0, stdout: '' });
    expect(served - before).toBe(4);
  }, 60_000);

  it('keeps one host-side ip process across calls; a failing batch fails only its own call', async () => {
    const ok = async (command: string, id: string) => {
      const r = await client(command, id, conf());
      expect(r.exitCode, r.stdout).toBe(0);
      return r;
    };
    // Warm: whatever earlier calls left, a live process from here on.
    await ok('ADD', 'ctr-52');
    const spawned = ipSpawns;
    await ok('ADD', 'ctr-53');
    await ok('DEL', 'ctr-52');
    await ok('ADD', 'ctr-54');
    await ok('DEL', 'ctr-53');
    expect(ipSpawns).toBe(spawned);
    // Queued first, so it runs on the live process and kills it; the ADD behind it gets a fresh one.
    const [bad, add] = await Promise.allSettled([hostIp.run(['link add hpbad0 type no-such-kind']), ok('ADD', 'ctr-55')]);
    expect(bad.status).toBe('rejected');
    expect(String((bad as PromiseRejectedResult).reason)).toMatch(/Unknown device type/);
    expect(add.status, String((add as PromiseRejectedResult).reason)).toBe('fulfilled');
    expect(ipSpawns).toBe(spawned + 1);
    const ip = JSON.parse((add as PromiseFulfilledResult<{ stdout: string }>).value.stdout) as { ips: { address: string }[] };
    expect(await rack.ping(rack.tor, ip.ips[0]!.address.split('/')[0]!)).toBe(true);
    for (const id of ['ctr-54', 'ctr-55']) await ok('DEL', id);
    expect(ipSpawns).toBe(spawned + 1);
    expect((await rack.snapshot()).records).toEqual([]);
  }, 120_000);

  it('passes the plugin errors through unchanged', async () => {
    const bad = await client('ADD', 'ctr-1', rack.conf({ agentSocket: socketPath, mtu: 5 }));
    expect(bad.exitCode).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ code: 7, msg: expect.stringContaining('mtu') });
    const notJson = await client('ADD', 'ctr-1', `{"agentSocket":"${socketPath}", nope`);
    expect(JSON.parse(notJson.stdout)).toMatchObject({ code: 6 });
  }, 60_000);

  it('50 concurrent ADDs on one node all succeed with unique addresses; DELs free them', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => `ctr-${i + 2}`);
    const adds = await Promise.all(ids.map((id) => client('ADD', id, conf())));
    for (const a of adds) expect(a.exitCode, a.stdout).toBe(0);
    const addresses = adds.map((a) => (JSON.parse(a.stdout) as { ips: { address: string }[] }).ips[0]!.address);
    expect(new Set(addresses).size).toBe(50);
    const dels = await Promise.all(ids.map((id) => client('DEL', id, conf())));
    for (const d of dels) expect(d.exitCode, d.stdout).toBe(0);
    expect((await rack.snapshot()).leases).toEqual([]);
  }, 300_000);

  it('the agent (in-process host-local) and the fallback plugin (exec\'d host-local) interleave on one node: unique addresses, DELs across the two', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `ctr-${i + 56}`);
    const viaAgent = (i: number) => i % 2 === 0;
    const before = served;
    const adds = await Promise.all(
      ids.map((id, i) => (viaAgent(i) ? client('ADD', id, conf()) : rack.cni('ADD', id, netnsPaths.get(id)!, conf()))),
    );
    for (const a of adds) expect(a.exitCode, a.stdout).toBe(0);
    expect(served - before).toBe(10);
    const addresses = adds.map((a) => (JSON.parse(a.stdout) as { ips: { address: string }[] }).ips[0]!.address);
    expect(new Set(addresses).size).toBe(20);
    expect((await rack.snapshot()).leases).toEqual(addresses.map((a) => a.split('/')[0]!).sort());
    // Pods work whichever path set them up.
    for (const i of [0, 1]) expect(await rack.ping(rack.tor, addresses[i]!.split('/')[0]!)).toBe(true);
    // Each path takes down the other's pods, twice (DEL is idempotent on both).
    for (let round = 0; round < 2; round++) {
      const dels = await Promise.all(ids.map((id, i) => (viaAgent(i) ? rack.cni('DEL', id, netnsPaths.get(id)!, conf()) : client('DEL', id, conf()))));
      for (const d of dels) expect(d.exitCode, d.stdout).toBe(0);
    }
    const after = await rack.snapshot();
    expect(after.leases).toEqual([]);
    expect(after.records).toEqual([]);
    expect(after.hostLinks).toEqual(['lo', 'uplink0']);
  }, 300_000);

  it('rejects malformed and oversized requests on the socket with a CNI error, changing nothing', async () => {
    for (const payload of [Buffer.from('CNI_COMMAND=ADD'), Buffer.from('LD_PRELOAD=/x\0\0{}'), randomBytes(4096)]) {
      const reply = await rawRequest(socketPath, payload);
      expect(reply[0]).toBe(1);
      expect(JSON.parse(reply.subarray(1).toString())).toMatchObject({ code: 6 });
    }
    const big = await rawRequest(socketPath, Buffer.alloc(MAX_REQUEST_BYTES + 10, 'a'));
    expect(JSON.parse(big.subarray(1).toString())).toMatchObject({ code: 6, msg: expect.stringContaining('larger than') });
    expect((await rack.snapshot()).records).toEqual([]);
  }, 60_000);

  it('the client survives garbage: random stdin of random sizes, over 1 MiB, stray agentSocket keys', async () => {
    const before = served;
    const inputs: Buffer[] = [
      Buffer.alloc(0),
      Buffer.alloc(1024 * 1024 + 1, 'x'),
      Buffer.from(`{"agentSocket":"${socketPath}"`),
      Buffer.from(`{"agentSocket":"${'/a'.repeat(200)}"}`),
      Buffer.from('{"agentSocket": "'),
      Buffer.from('{"agentSocket":'),
      Buffer.from(`{"agentSocket":"${socketPath}\\"}`),
      ...Array.from({ length: 20 }, (_, i) => Buffer.concat([Buffer.from(`{"agentSocket":"${socketPath}",`), randomBytes(1 + ((i * 7919) % 70000))])),
    ];
    for (const input of inputs) {
      const r = await client('ADD', 'ctr-51', input);
      // One JSON CNI error on stdout, exit 1: never a crash (a signal fails the runner's okExitCodes).
      expect(r.exitCode).toBe(1);
      expect(JSON.parse(r.stdout)).toMatchObject({ code: expect.any(Number), msg: expect.any(String) });
    }
    // The 20 random ones and the valid-socket prefix reached the agent; the oversized never left the client.
    expect(served - before).toBeGreaterThanOrEqual(20);
    const oversized = await client('ADD', 'ctr-51', Buffer.alloc(1024 * 1024 + 1, 'x'));
    expect(JSON.parse(oversized.stdout)).toMatchObject({ code: 6, msg: expect.stringContaining('larger than 1 MiB') });
  }, 300_000);

  it('with no agent listening, the client runs the Node.js plugin itself; DEL idempotent there too', async () => {
    await server.close();
    const before = served;
    try {
      const add = await client('ADD', 'ctr-1', conf());
      expect(add.exitCode, add.stdout).toBe(0);
      const address = (JSON.parse(add.stdout) as { ips: { address: string }[] }).ips[0]!.address;
      expect(await rack.ping(rack.tor, address.split('/')[0]!)).toBe(true);
      expect(await client('DEL', 'ctr-1', conf())).toEqual({ exitCode: 0, stdout: '' });
      expect(await client('DEL', 'ctr-1', conf())).toEqual({ exitCode: 0, stdout: '' });
      const version = await new ProcessRunner().run({ argv: [CLIENT], env: { CNI_COMMAND: 'VERSION' }, input: '{"cniVersion":"1.0.0","agentSocket":"/nonexistent/cni.sock"}' });
      expect(JSON.parse(version.stdout)).toMatchObject({ cniVersion: '1.0.0' });
      expect(served).toBe(before);
    } finally {
      server = new CniSocketServer(handler, socketPath);
      await server.listen();
    }
  }, 120_000);
});
