// The plugin's orchestration against a recorded runner: exact argv, the order
// of changes, and what a failure undoes. The real kernel is in netns.test.ts.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CniPlugin } from '../../agent/net/plugin.js';
import { macFor } from '../../agent/net/plumbing.js';
import { hostVethName } from '../../agent/net/validate.js';
import { RecordedRunner, type Recording } from '../support/recorded-runner.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/net/${name}`, import.meta.url), 'utf8');
const IPAM = '/opt/cni/bin/host-local';
const NETNS = '/var/run/netns/pod1';
const VETH = hostVethName('hp', 'ctr1', 'eth0');
const HOST_MAC = macFor(`host/${VETH}`);
const POD_MAC = macFor(`pod/${VETH}`);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hostpilot-cni-unit-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function conf(over: Record<string, unknown> = {}): string {
  return JSON.stringify({ cniVersion: '1.0.0', name: 'podnet', type: 'hostpilot-cni', gateway: '10.10.0.1', uplink: 'uplink0', stateDir: dir, ipam: { type: 'host-local' }, ...over });
}

const env = (command: string, over: Record<string, string> = {}) => ({ CNI_COMMAND: command, CNI_CONTAINERID: 'ctr1', CNI_NETNS: NETNS, CNI_IFNAME: 'eth0', CNI_PATH: '/usr/lib/cni:/opt/cni/bin', ...over });

function plugin(runner: RecordedRunner) {
  return new CniPlugin({ runner, pathExists: () => true, isExecutable: (p) => p === IPAM, now: () => new Date('2026-11-21T00:00:00Z') });
}

const happy: Recording[] = [
  { argv: [IPAM], stdout: fixture('host-local-add.json'), once: true },
  { argv: ['ip', '-batch', '-'] },
  { argv: ['sysctl', '-q', '-w', 'net.ipv4.conf.uplink0.proxy_arp=1', `net.ipv4.conf.${VETH}.proxy_arp=1`, 'net.ipv4.ip_forward=1'] },
  { argv: ['nsenter', `--net=${NETNS}`, 'ip', '-batch', '-'] },
];

describe('CniPlugin', () => {
  it('ADD: IPAM from CNI_PATH, then veth + route, sysctls, pod address and default route; a 1.0.0 result', async () => {
    const runner = new RecordedRunner(happy);
    const reply = await plugin(runner).handle(env('ADD'), conf());
    expect(reply.exitCode).toBe(0);
    expect(JSON.parse(reply.stdout)).toEqual({
      cniVersion: '1.0.0',
      interfaces: [
        { name: VETH, mac: HOST_MAC },
        { name: 'eth0', mac: POD_MAC, sandbox: NETNS },
      ],
      ips: [{ address: '10.10.0.10/22', gateway: '10.10.0.1', interface: 1 }],
      routes: [{ dst: '0.0.0.0/0', gw: '10.10.0.1' }],
      dns: {},
    });
    const [ipam, host, , pod] = runner.calls;
    expect(ipam!.env).toMatchObject({ CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'ctr1', CNI_NETNS: NETNS, CNI_IFNAME: 'eth0', CNI_PATH: '/usr/lib/cni:/opt/cni/bin' });
    expect(JSON.parse(String(ipam!.input))).toMatchObject({ name: 'podnet', ipam: { type: 'host-local' } });
    expect(host!.input).toBe(
      `link add ${VETH} mtu 1500 address ${HOST_MAC} type veth peer name eth0 mtu 1500 address ${POD_MAC} netns ${NETNS}\nlink set ${VETH} up\nroute replace 10.10.0.10/32 dev ${VETH} scope link\n`,
    );
    expect(pod!.input).toBe('addr add 10.10.0.10/22 dev eth0\nlink set eth0 up\nroute replace default via 10.10.0.1 dev eth0 onlink\n');
    const record = JSON.parse(readFileSync(join(dir, 'pods', 'ctr1@eth0.json'), 'utf8'));
    expect(record).toMatchObject({ phase: 'ready', hostVeth: VETH, address: '10.10.0.10/22', netns: NETNS, uplink: 'uplink0' });
  });

  it('ADD with a 0.4.0 config returns the 0.4.0 result shape', async () => {
    const reply = await plugin(new RecordedRunner(happy)).handle(env('ADD'), conf({ cniVersion: '0.4.0' }));
    expect(JSON.parse(reply.stdout)).toMatchObject({ cniVersion: '0.4.0', ips: [{ version: '4', address: '10.10.0.10/22' }] });
  });

  it('ADD failing after the veth exists deletes it and releases the address', async () => {
    const runner = new RecordedRunner([
      ...happy.slice(0, 2),
      { argv: [/^sysctl$/, '-q', '-w', /./, /./, /./], exitCode: 255, stderr: 'sysctl: cannot stat /proc/sys/net/ipv4/conf/uplink0/proxy_arp: No such file or directory' },
      { argv: ['ip', 'link', 'del', 'dev', VETH] },
      { argv: [IPAM] },
    ]);
    const reply = await plugin(runner).handle(env('ADD'), conf());
    expect(reply.exitCode).toBe(1);
    expect(JSON.parse(reply.stdout)).toEqual({ cniVersion: '1.0.0', code: 101, msg: 'sysctl -q -w net.ipv4.conf.uplink0.proxy_arp=1 failed: exit', details: expect.stringContaining('cannot stat') });
    expect(runner.argvs().slice(3)).toEqual([['ip', 'link', 'del', 'dev', VETH], [IPAM]]);
    expect(runner.calls[4]!.env).toMatchObject({ CNI_COMMAND: 'DEL' });
    expect(existsSync(join(dir, 'pods', 'ctr1@eth0.json'))).toBe(false);
  });

  it('ADD keeps the record when the cleanup itself fails, so DEL can finish it', async () => {
    const runner = new RecordedRunner([
      ...happy.slice(0, 2),
      { argv: [/^sysctl$/, '-q', '-w', /./, /./, /./], exitCode: 255 },
      { argv: ['ip', 'link', 'del', 'dev', VETH] },
      { argv: [IPAM], exitCode: 1, stdout: '{"code":11,"msg":"store busy"}' },
    ]);
    const reply = JSON.parse((await plugin(runner).handle(env('ADD'), conf())).stdout);
    expect(reply).toMatchObject({ code: 101, details: expect.stringContaining('cleanup incomplete: ipam DEL: ipam host-local DEL: store busy') });
    expect(existsSync(join(dir, 'pods', 'ctr1@eth0.json'))).toBe(true);
  });

  it('ADD passes the IPAM plugin error on, with its own code in the details, and touches nothing', async () => {
    const runner = new RecordedRunner([{ argv: [IPAM], exitCode: 1, stdout: fixture('host-local-error.json') }]);
    const reply = JSON.parse((await plugin(runner).handle(env('ADD'), conf())).stdout);
    expect(reply).toEqual({ cniVersion: '1.0.0', code: 100, msg: 'ipam host-local ADD: invalid CIDR address: 10.10.0.0/33', details: 'plugin code 999' });
    // ADD, then a best-effort DEL; no ip command at all.
    expect(runner.argvs()).toEqual([[IPAM], [IPAM]]);
  });

  it('MACs are locally administered unicast, stable, and distinct per side', () => {
    expect(HOST_MAC).toMatch(/^[0-9a-f][26ae](:[0-9a-f]{2}){5}$/);
    expect(macFor(`host/${VETH}`)).toBe(HOST_MAC);
    expect(POD_MAC).not.toBe(HOST_MAC);
    expect(existsSync(join(dir, 'pods', 'ctr1@eth0.json'))).toBe(false);
  });

  it('ADD twice for the same container is refused without tearing the first one down', async () => {
    await plugin(new RecordedRunner(happy)).handle(env('ADD'), conf());
    const runner = new RecordedRunner([]);
    const reply = JSON.parse((await plugin(runner).handle(env('ADD'), conf())).stdout);
    expect(reply).toMatchObject({ code: 11, msg: expect.stringContaining('already has a network') });
    expect(runner.calls).toEqual([]);
  });

  it('DEL removes the veth, releases the address and the record; already gone is fine', async () => {
    await plugin(new RecordedRunner(happy)).handle(env('ADD'), conf());
    const runner = new RecordedRunner([{ argv: ['ip', 'link', 'del', 'dev', VETH], exitCode: 1, stderr: `Cannot find device "${VETH}"` }, { argv: [IPAM] }]);
    expect(await plugin(runner).handle(env('DEL', { CNI_NETNS: '' }), conf())).toEqual({ stdout: '', exitCode: 0 });
    expect(runner.calls[1]!.env).toMatchObject({ CNI_COMMAND: 'DEL', CNI_NETNS: '' });
    expect(existsSync(join(dir, 'pods', 'ctr1@eth0.json'))).toBe(false);
  });

  it('DEL still works when a key it does not need is broken', async () => {
    await plugin(new RecordedRunner(happy)).handle(env('ADD'), conf());
    const runner = new RecordedRunner([{ argv: ['ip', 'link', 'del', 'dev', VETH] }, { argv: [IPAM] }]);
    expect(await plugin(runner).handle(env('DEL'), conf({ gateway: 'broken', uplink: undefined, mtu: 1 }))).toEqual({ stdout: '', exitCode: 0 });
    expect(existsSync(join(dir, 'pods', 'ctr1@eth0.json'))).toBe(false);
    const bad = await plugin(new RecordedRunner([])).handle(env('DEL'), conf({ stateDir: 'relative' }));
    expect(JSON.parse(bad.stdout)).toMatchObject({ code: 7, msg: expect.stringContaining('stateDir') });
  });

  it('DEL fails on a real error deleting the veth', async () => {
    await plugin(new RecordedRunner(happy)).handle(env('ADD'), conf());
    const runner = new RecordedRunner([{ argv: ['ip', 'link', 'del', 'dev', VETH], exitCode: 1, stderr: 'RTNETLINK answers: Operation not permitted' }]);
    expect(JSON.parse((await plugin(runner).handle(env('DEL'), conf())).stdout)).toMatchObject({ code: 101 });
    // Kept, marked, for the runtime's retry; the reconciler leaves it alone meanwhile.
    expect(JSON.parse(readFileSync(join(dir, 'pods', 'ctr1@eth0.json'), 'utf8'))).toMatchObject({ phase: 'deleting' });
  });

  it.each([
    [{}, '', /CNI_COMMAND is not set/, 4],
    [{ CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'ctr1', CNI_NETNS: NETNS, CNI_IFNAME: 'eth0' }, conf(), /CNI_PATH: is required/, 4],
    [env('ADD', { CNI_NETNS: 'relative/ns' }), conf(), /CNI_NETNS: must be an absolute path/, 4],
    [env('ADD', { CNI_CONTAINERID: '../x' }), conf(), /CNI_CONTAINERID/, 4],
    [env('ADD'), conf({ mtu: 9 }), /mtu: 9 must be an integer/, 7],
    [env('ADD'), conf({ uplink: 'eth0;reboot' }), /uplink: /, 7],
    [env('ADD'), conf({ ipam: { type: '../../bin/sh' } }), /ipam.type: /, 7],
    [env('ADD'), conf({ ipam: undefined }), /ipam: must be an object/, 7],
    [env('ADD'), conf({ stateDir: 'relative' }), /stateDir: must be an absolute path/, 7],
    [env('ADD'), conf({ ipam: { type: 'dhcp' } }), /plugin "dhcp" not found in CNI_PATH/, 7],
    [env('ADD', { CNI_IFNAME: 'uplink0' }), conf(), /same name as the uplink/, 4],
    [env('FROB'), conf(), /CNI_COMMAND "FROB"/, 4],
    [env('ADD', { CNI_NETNS: '/var/run/netns/x netns 1' }), conf(), /CNI_NETNS: .* not an acceptable path/, 4],
    [env('CHECK'), conf({ cniVersion: '0.3.1' }), /CHECK is not defined for cniVersion 0.3.1/, 1],
  ])('refuses bad input %# with a spec error and runs nothing', async (vars, stdin, msg, code) => {
    const runner = new RecordedRunner([]);
    const reply = await plugin(runner).handle(vars, stdin);
    expect(reply.exitCode).toBe(1);
    expect(JSON.parse(reply.stdout)).toMatchObject({ code, msg: expect.stringMatching(msg) });
    expect(runner.calls).toEqual([]);
  });

  it('ADD on a namespace that does not exist is error 3', async () => {
    const p = new CniPlugin({ runner: new RecordedRunner([]), pathExists: () => false, isExecutable: () => true });
    expect(JSON.parse((await p.handle(env('ADD'), conf())).stdout)).toMatchObject({ code: 3 });
  });

  it('VERSION needs no config', async () => {
    expect(await plugin(new RecordedRunner([])).handle({ CNI_COMMAND: 'VERSION' }, '')).toEqual({ exitCode: 0, stdout: '{"cniVersion":"1.0.0","supportedVersions":["0.3.1","0.4.0","1.0.0"]}' });
  });

  it('CHECK without a completed ADD fails', async () => {
    expect(JSON.parse((await plugin(new RecordedRunner([])).handle(env('CHECK'), conf())).stdout)).toMatchObject({ code: 102, msg: expect.stringContaining('no completed ADD') });
  });

  it('CHECK refuses a prevResult that does not hold the assigned address', async () => {
    await plugin(new RecordedRunner(happy)).handle(env('ADD'), conf());
    const reply = await plugin(new RecordedRunner([])).handle(env('CHECK'), conf({ prevResult: { cniVersion: '1.0.0', ips: [{ address: '10.10.0.99/22' }] } }));
    expect(JSON.parse(reply.stdout)).toMatchObject({ code: 102, msg: expect.stringContaining('prevResult') });
  });
});
