// The agent's in-process host-local against the real host-local plugin
// (containernetworking-plugins, /usr/lib/cni/host-local) on one data dir:
// each reads what the other wrote, they exclude each other through the same
// flock, and their allocation order, duplicate check, exhaustion and release
// agree. The lock goes through the real native helper (dist/native/).
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProcessRunner } from '../../common/exec/runner.js';
import { InProcessHostLocal, parseHostLocalConf } from '../../agent/net/host-local.js';
import { IpamDelegate, type IpamRequest } from '../../agent/net/ipam.js';
import { NetHelperSession } from '../../agent/net/net-helper.js';
import { describeWith } from '../support/components.js';

const NET_HELPER = resolve('dist/native/hostpilot-nethelper');
const CNI_PATH = ['/usr/lib/cni'];

describe('which host-local configs run in-process', () => {
  const conf = (ipam: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ cniVersion: '1.0.0', name: 'n', ipam: { type: 'host-local', ...ipam }, ...extra });
  const range = { subnet: '10.30.0.0/24' };
  it.each([
    ['ranges', conf({ ranges: [[range]] }), ''],
    ['old-style subnet', conf({ subnet: '10.30.0.0/24', rangeStart: '10.30.0.5' }), ''],
    ['CNI_ARGS without IP', conf({ ranges: [[range]] }), 'K8S_POD_NAME=a;IgnoreUnknown=1'],
  ])('%s: in-process', (_name, config, args) => {
    expect(parseHostLocalConf(config, args)).toMatchObject({ dir: '/var/lib/cni/networks/n' });
  });
  it.each([
    ['another IPAM type', { cniVersion: '1.0.0', name: 'n', ipam: { type: 'dhcp' } }, ''],
    ['IPv6', conf({ ranges: [[{ subnet: 'fd00::/64' }]] }), ''],
    ['two range sets', conf({ ranges: [[range], [{ subnet: '10.31.0.0/24' }]] }), ''],
    ['resolvConf', conf({ ranges: [[range]], resolvConf: '/etc/resolv.conf' }), ''],
    ['a requested IP in CNI_ARGS', conf({ ranges: [[range]] }), 'IP=10.30.0.9'],
    ['CNI_ARGS it cannot read', conf({ ranges: [[range]] }), 'garbage'],
    ['args.cni.ips', conf({ ranges: [[range]] }, { args: { cni: { ips: ['10.30.0.9'] } } }), ''],
    ['runtimeConfig.ips', conf({ ranges: [[range]] }, { runtimeConfig: { ips: ['10.30.0.9/24'] } }), ''],
    ['host bits in the subnet', conf({ ranges: [[{ subnet: '10.30.0.1/24' }]] }), ''],
    ['a /31', conf({ ranges: [[{ subnet: '10.30.0.0/31' }]] }), ''],
    ['rangeEnd outside the subnet', conf({ ranges: [[{ subnet: '10.30.0.0/24', rangeEnd: '10.31.0.1' }]] }), ''],
    ['overlapping ranges', conf({ ranges: [[range, { subnet: '10.30.0.0/25' }]] }), ''],
    ['a relative dataDir', conf({ ranges: [[range]], dataDir: 'rel' }), ''],
    ['a dataDir with a space', conf({ ranges: [[range]], dataDir: '/var/lib/my cni' }), ''],
    ['a network name that is not one', { ...conf({ ranges: [[range]] }), name: '../up' }, ''],
    ['no ranges', conf({}), ''],
  ])('%s: left to the plugin', (_name, config, args) => {
    expect(parseHostLocalConf(config as Record<string, unknown>, args)).toBeUndefined();
  });
});

describeWith(['host-local', 'flock', 'cc'], 'in-process host-local and the host-local plugin share one state', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hostpilot-host-local-'));
  const dataDir = join(dir, 'ipam');
  const runner = new ProcessRunner();
  const helper = new NetHelperSession(NET_HELPER);
  const plugin = new IpamDelegate(runner);
  const agent = new InProcessHostLocal(helper, plugin);

  afterAll(async () => {
    await helper.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const config = (name: string, rangeSet: Record<string, unknown>[] = [{ subnet: '10.30.0.0/24', rangeStart: '10.30.0.10', rangeEnd: '10.30.0.250', gateway: '10.30.0.1' }]) => ({
    cniVersion: '1.0.0',
    name,
    type: 'hostpilot-cni',
    ipam: { type: 'host-local', dataDir, ranges: [rangeSet] },
  });
  const req = (id: string, cfg: Record<string, unknown>, args = ''): Omit<IpamRequest, 'command'> => ({
    pluginType: 'host-local',
    containerId: id,
    netns: '/proc/self/ns/net',
    ifName: 'eth0',
    args,
    path: CNI_PATH,
    config: cfg,
  });
  const leases = (name: string) => readdirSync(join(dataDir, name)).filter((f) => f !== 'lock' && !f.startsWith('last_reserved_ip.')).sort();

  it('writes the lease files the plugin reads and continues its round robin', async () => {
    const cfg = config('share');
    expect((await agent.add(req('a', cfg))).address.text).toBe('10.30.0.10/24');
    expect(readFileSync(join(dataDir, 'share', '10.30.0.10'), 'utf8')).toBe('a\r\neth0');
    expect(readFileSync(join(dataDir, 'share', 'last_reserved_ip.0'), 'utf8')).toBe('10.30.0.10');
    expect((await plugin.add(req('b', cfg))).address.text).toBe('10.30.0.11/24');
    const c = await agent.add(req('c', cfg));
    expect(c.address.text).toBe('10.30.0.12/24');
    expect(c.gateway?.text).toBe('10.30.0.1');
    // Each sees the other's leases: CHECK, and the no-duplicate rule.
    await plugin.check(req('a', cfg));
    await agent.check(req('b', cfg));
    await expect(agent.check(req('nobody', cfg))).rejects.toThrow(/Failed to find address added by container nobody/);
    await expect(agent.add(req('b', cfg))).rejects.toThrow(/10\.30\.0\.11 has been allocated to b, duplicate allocation is not allowed/);
    await expect(plugin.add(req('c', cfg))).rejects.toThrow(/10\.30\.0\.12 has been allocated to c, duplicate allocation is not allowed/);
    // Each releases the other's; DEL twice and DEL of an unknown id are fine on both.
    await plugin.del(req('a', cfg));
    await agent.del(req('b', cfg));
    await agent.del(req('b', cfg));
    await plugin.del(req('b', cfg));
    await agent.del(req('nobody', cfg));
    expect(leases('share')).toEqual(['10.30.0.12']);
    await agent.del(req('c', cfg));
    expect(leases('share')).toEqual([]);
  });

  it('50 ADDs at once, 30 in-process and 20 through the plugin, get 50 addresses; DELs across the two free them all', async () => {
    const cfg = config('burst');
    const ids = Array.from({ length: 50 }, (_, i) => `burst-${i}`);
    const byAgent = (i: number) => i % 5 < 3;
    const added = await Promise.all(ids.map((id, i) => (byAgent(i) ? agent : plugin).add(req(id, cfg))));
    const addresses = added.map((a) => a.address.ip.text);
    expect(new Set(addresses).size).toBe(50);
    expect(leases('burst')).toEqual([...addresses].sort());
    // Each lease names its owner, whoever wrote it.
    ids.forEach((id, i) => expect(readFileSync(join(dataDir, 'burst', addresses[i]!), 'utf8')).toBe(`${id}\r\neth0`));
    await Promise.all(ids.map((id, i) => (byAgent(i) ? plugin : agent).del(req(id, cfg))));
    expect(leases('burst')).toEqual([]);
  }, 120_000);

  it('calls that arrive together share one hold of the lock', async () => {
    const cfg = config('together');
    const holds: string[] = [];
    const counting = new InProcessHostLocal({ lock: (path) => (holds.push(path), helper.lock(path)), unlock: () => helper.unlock() }, plugin);
    const ids = Array.from({ length: 10 }, (_, i) => `t${i}`);
    const added = await Promise.all(ids.map((id) => counting.add(req(id, cfg))));
    expect(added.map((a) => a.address.text)).toEqual(ids.map((_, i) => `10.30.0.${10 + i}/24`));
    expect(holds).toEqual([join(dataDir, 'together', 'lock')]);
    await Promise.all(ids.map((id) => counting.del(req(id, cfg))));
    expect(holds).toHaveLength(2);
    expect(leases('together')).toEqual([]);
  });

  it("takes host-local's flock: held by one, the other waits for it", async () => {
    const cfg = config('locked');
    await agent.add(req('first', cfg));
    const lockFile = join(dataDir, 'locked', 'lock');
    const tryLock = async () => (await runner.run({ argv: ['flock', '-n', '-E', '3', lockFile, 'true'], okExitCodes: [0, 3] })).exitCode;
    expect(await tryLock()).toBe(0);
    const other = new NetHelperSession(NET_HELPER);
    try {
      await other.lock(lockFile);
      expect(await tryLock()).toBe(3);
      const pending = agent.add(req('second', cfg));
      const viaPlugin = plugin.add(req('third', cfg));
      await other.unlock();
      const both = [(await pending).address.text, (await viaPlugin).address.text].sort();
      expect(both).toEqual(['10.30.0.11/24', '10.30.0.12/24']);
      expect(await tryLock()).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('skips the gateway and runs out like the plugin, with the same message', async () => {
    const cfg = config('small', [{ subnet: '10.40.0.0/29' }]);
    const got: string[] = [];
    for (let i = 0; i < 5; i++) got.push((await (i % 2 ? plugin : agent).add(req(`s${i}`, cfg))).address.text);
    expect(got).toEqual(['10.40.0.2/29', '10.40.0.3/29', '10.40.0.4/29', '10.40.0.5/29', '10.40.0.6/29']);
    const fromPlugin = await plugin.add(req('s5', cfg)).catch((e: Error) => e.message);
    const fromAgent = await agent.add(req('s6', cfg)).catch((e: Error) => e.message);
    expect(fromPlugin).toContain('no IP addresses available in range set: 10.40.0.1-10.40.0.6');
    expect(fromAgent).toContain('no IP addresses available in range set: 10.40.0.1-10.40.0.6');
    // A release makes room, and the search resumes after the last reserved address (wrapping).
    await agent.del(req('s1', cfg));
    expect((await agent.add(req('s7', cfg))).address.text).toBe('10.40.0.3/29');
  });

  it('hands what it does not handle to the plugin: a requested IP, a bad range', async () => {
    const cfg = config('delegated');
    expect((await agent.add(req('wants-99', cfg, 'IP=10.30.0.99'))).address.text).toBe('10.30.0.99/24');
    await agent.del(req('wants-99', cfg, 'IP=10.30.0.99'));
    await expect(agent.add(req('bad', config('delegated', [{ subnet: '10.30.0.1/24' }])))).rejects.toThrow(/host bits set/);
    expect(leases('delegated')).toEqual([]);
  });

  it('ignores what else is in the data dir', async () => {
    const cfg = config('litter');
    mkdirSync(join(dataDir, 'litter', 'subdir'), { recursive: true });
    writeFileSync(join(dataDir, 'litter', 'notes.txt'), 'litter\r\neth0');
    writeFileSync(join(dataDir, 'litter', 'last_reserved_ip.0'), 'not an address');
    expect((await agent.add(req('x', cfg))).address.text).toBe('10.30.0.10/24');
    await agent.del(req('x', cfg));
    expect(leases('litter')).toEqual(['notes.txt', 'subdir']);
  });
});

describeWith(['cc'], 'the native helper on garbage', () => {
  it('answers every line, refuses what is not a command, and stays usable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hostpilot-nethelper-'));
    try {
      const lines = [
        'bogus',
        'lock relative/path',
        'lock',
        'unlock extra',
        'pod /proc/self/ns/net nosuchif0 10.1.2.3 24 10.1.2.1',
        'pod /proc/self/ns/net eth0 10.1.2.3 33 10.1.2.1',
        'pod /proc/self/ns/net eth0 not-an-ip 24 10.1.2.1',
        'pod relative eth0 10.1.2.3 24 10.1.2.1',
        'pod /nonexistent eth0 10.1.2.3 24 10.1.2.1',
        'pod /proc/self/ns/net waytoolonginterfacename 10.1.2.3 24 10.1.2.1',
        randomBytes(3000).toString('latin1').replace(/\n/g, ' '),
        'x'.repeat(20_000),
        `lock ${join(dir, 'lock')}`,
        `lock ${join(dir, 'lock')}`,
        'unlock',
      ];
      const result = await new ProcessRunner().run({ argv: [NET_HELPER], input: lines.join('\n') + '\n', timeoutMs: 10_000 });
      const answers = result.stdout.trim().split('\n');
      expect(answers).toHaveLength(lines.length);
      expect(answers.slice(0, 12).every((a) => a.startsWith('err '))).toBe(true);
      expect(answers[4]).toBe('err find interface: No such device');
      expect(answers[8]).toBe('err open netns: No such file or directory');
      expect(answers.slice(12)).toEqual(['ok', 'err a lock is already held', 'ok']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
