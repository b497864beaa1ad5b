// The plugin and the reconciler against the real kernel: a tor namespace with
// the gateway, a host namespace with an uplink veth to it, pods added through
// the built CNI executable exactly as a runtime calls it.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PodNetworkReconciler } from '../../agent/net/reconciler.js';
import { hostVethName } from '../../agent/net/validate.js';
import { describeWith } from '../support/components.js';
import { CNI_MAIN, GATEWAY, NetnsRunner, Rack } from './netns-support.js';

describeWith(['ip', 'root', 'nsenter', 'ping', 'sysctl', 'host-local'], 'pod networking in real network namespaces', () => {
  const rack = new Rack();
  const pods: Record<string, { netns: string; path: string; address: string }> = {};
  let registry: Registry;
  let reconciler: PodNetworkReconciler;

  beforeAll(async () => {
    try {
      await rack.setUp();
      for (const name of ['pod1', 'pod2']) {
        const netns = rack.podNetns(name);
        pods[name] = { netns, path: await rack.addNetns(netns), address: '' };
      }
    } catch (err) {
      await rack.tearDown();
      throw err;
    }
    registry = new Registry();
    reconciler = new PodNetworkReconciler({ runner: new NetnsRunner(rack.runner, rack.host), registry, stateDir: rack.stateDir });
  }, 60_000);

  afterAll(async () => {
    await reconciler?.stop();
    await rack.tearDown();
  }, 60_000);

  it('is an executable a runtime can call directly (VERSION)', async () => {
    const result = await rack.runner.run({ argv: [CNI_MAIN], env: { CNI_COMMAND: 'VERSION' }, input: '{"cniVersion":"1.0.0"}' });
    expect(JSON.parse(result.stdout)).toEqual({ cniVersion: '1.0.0', supportedVersions: ['0.3.1', '0.4.0', '1.0.0'] });
  });

  it('ADD gives each pod an address from IPAM, a veth and a spec result', async () => {
    for (const name of ['pod1', 'pod2'] as const) {
      const pod = pods[name]!;
      const call = await rack.cni('ADD', `ctr-${name}`, pod.path, rack.conf());
      expect(call.exitCode, call.stdout).toBe(0);
      const result = call.json as { cniVersion: string; interfaces: { name: string; mac: string; sandbox?: string }[]; ips: { address: string; gateway: string; interface: number }[]; routes: unknown[] };
      expect(result.cniVersion).toBe('1.0.0');
      const hostVeth = hostVethName('hp', `ctr-${name}`, 'eth0');
      expect(result.interfaces).toEqual([
        { name: hostVeth, mac: expect.stringMatching(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/) },
        { name: 'eth0', mac: expect.stringMatching(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/), sandbox: pod.path },
      ]);
      expect(result.ips).toEqual([{ address: expect.stringMatching(/^10\.10\.0\.\d+\/22$/), gateway: GATEWAY, interface: 1 }]);
      expect(result.routes).toEqual([{ dst: '0.0.0.0/0', gw: GATEWAY }]);
      pod.address = result.ips[0]!.address.split('/')[0]!;
      const routes = (await rack.ip('-n', rack.host, '-4', 'route', 'show', `${pod.address}/32`)).stdout;
      expect(routes).toContain(`dev ${hostVeth}`);
      const inPod = (await rack.ip('-n', pod.netns, '-4', 'route', 'show', 'default')).stdout;
      expect(inPod).toContain(`default via ${GATEWAY} dev eth0 onlink`);
    }
    expect(pods.pod1!.address).not.toBe(pods.pod2!.address);
  }, 60_000);

  it('pods reach each other and the tor reaches each pod, through proxy ARP and /32 routes', async () => {
    expect(await rack.ping(pods.pod1!.netns, pods.pod2!.address)).toBe(true);
    expect(await rack.ping(pods.pod2!.netns, pods.pod1!.address)).toBe(true);
    expect(await rack.ping(rack.tor, pods.pod1!.address)).toBe(true);
    expect(await rack.ping(rack.tor, pods.pod2!.address)).toBe(true);
    expect(await rack.ping(pods.pod1!.netns, GATEWAY)).toBe(true);
    // The tor learnt the pods' addresses as the host's uplink MAC: proxy ARP, not a bridge.
    const uplinkMac = (JSON.parse((await rack.ip('-n', rack.host, '-j', 'link', 'show', 'dev', 'uplink0')).stdout) as { address: string }[])[0]!.address;
    const neigh = (await rack.ip('-n', rack.tor, 'neigh', 'show', pods.pod1!.address)).stdout;
    expect(neigh).toContain(uplinkMac);
  }, 60_000);

  it('CHECK passes, then reports a host route deleted by hand; the reconciler restores it', async () => {
    const pod = pods.pod1!;
    const ok = await rack.cni('CHECK', 'ctr-pod1', pod.path, rack.conf());
    expect(ok.exitCode, ok.stdout).toBe(0);

    await rack.ip('-n', rack.host, 'route', 'del', `${pod.address}/32`);
    const bad = await rack.cni('CHECK', 'ctr-pod1', pod.path, rack.conf());
    expect(bad.exitCode).toBe(1);
    expect(bad.json).toMatchObject({ cniVersion: '1.0.0', code: 102 });
    expect(String(bad.json!.msg)).toContain(`host route ${pod.address}/32 dev ${hostVethName('hp', 'ctr-pod1', 'eth0')} is missing`);

    const report = await reconciler.reconcileOnce();
    expect(report).toEqual({ changes: [`route ${pod.address}/32 dev ${hostVethName('hp', 'ctr-pod1', 'eth0')} was missing: added`], errors: [] });
    expect(reconciler.condition()).toMatchObject({ type: 'PodNetworkDrift', status: 'True', reason: 'DriftRepaired' });
    expect((await rack.cni('CHECK', 'ctr-pod1', pod.path, rack.conf())).exitCode).toBe(0);
    expect(await rack.ping(rack.tor, pod.address)).toBe(true);

    // Converged: a second run changes nothing and says so.
    expect(await reconciler.reconcileOnce()).toEqual({ changes: [], errors: [] });
    expect(reconciler.condition()).toMatchObject({ status: 'False', reason: 'InSync' });
    const metrics = await registry.getMetricsAsJSON();
    const repairs = metrics.find((m) => m.name === 'hostpilot_net_drift_repairs_total')!.values;
    expect(repairs.find((v) => v.labels.kind === 'route_missing')!.value).toBe(1);
  }, 60_000);

  it('the reconciler restores proxy ARP, removes orphan veths, and cleans up after a pod whose namespace is gone', async () => {
    const pod3 = rack.podNetns('pod3');
    const pod3Path = await rack.addNetns(pod3);
    const add = await rack.cni('ADD', 'ctr-pod3', pod3Path, rack.conf());
    expect(add.exitCode, add.stdout).toBe(0);
    const pod3Address = (add.json as { ips: { address: string }[] }).ips[0]!.address.split('/')[0]!;
    expect(readdirSync(join(rack.ipamDir, 'podnet'))).toContain(pod3Address);
    await rack.forgetNetns(pod3);

    const hostVeth2 = hostVethName('hp', 'ctr-pod2', 'eth0');
    await rack.runner.run({ argv: ['ip', 'netns', 'exec', rack.host, 'sysctl', '-q', '-w', `net.ipv4.conf.${hostVeth2}.proxy_arp=0`, 'net.ipv4.conf.uplink0.proxy_arp=0'] });
    await rack.ip('-n', rack.host, 'link', 'add', 'hp0123456789abc', 'type', 'veth', 'peer', 'name', 'orphanpeer');

    const report = await reconciler.reconcileOnce();
    expect(report.errors).toEqual([]);
    expect(report.changes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^pod ctr-pod3\/eth0 is gone/),
        `net.ipv4.conf.uplink0.proxy_arp was 0: set to 1`,
        `net.ipv4.conf.${hostVeth2}.proxy_arp was 0: set to 1`,
        'veth hp0123456789abc has no pod record: removed',
      ]),
    );
    expect(report.changes).toHaveLength(4);
    expect(readdirSync(join(rack.ipamDir, 'podnet'))).not.toContain(pod3Address);
    expect(existsSync(join(rack.stateDir, 'pods', 'ctr-pod3@eth0.json'))).toBe(false);
    expect(await rack.ping(rack.tor, pods.pod2!.address)).toBe(true);
    expect(await reconciler.reconcileOnce()).toEqual({ changes: [], errors: [] });
  }, 60_000);

  it('the reconciler sets up a pod again whose veth pair was deleted by hand', async () => {
    const pod = pods.pod2!;
    await rack.ip('-n', rack.host, 'link', 'del', hostVethName('hp', 'ctr-pod2', 'eth0'));
    expect(await rack.unreachable(rack.tor, pod.address)).toBe(true);
    const report = await reconciler.reconcileOnce();
    expect(report).toEqual({ changes: [`veth ${hostVethName('hp', 'ctr-pod2', 'eth0')} of pod ctr-pod2/eth0 was missing: set up again`], errors: [] });
    expect(await rack.ping(rack.tor, pod.address)).toBe(true);
    expect((await rack.cni('CHECK', 'ctr-pod2', pod.path, rack.conf())).exitCode).toBe(0);
  }, 60_000);

  it('DEL removes the veth, the route, the record and the lease, and a second DEL succeeds', async () => {
    const pod = pods.pod1!;
    const del = await rack.cni('DEL', 'ctr-pod1', pod.path, rack.conf());
    expect(del).toEqual({ exitCode: 0, stdout: '', json: undefined });
    const snap = await rack.snapshot(pod.netns);
    expect(snap.hostLinks).not.toContain(hostVethName('hp', 'ctr-pod1', 'eth0'));
    expect((snap.hostRoutes as string[]).some((r) => r.startsWith(`${pod.address} `))).toBe(false);
    expect(snap.records).toEqual(['ctr-pod2@eth0.json']);
    expect(snap.leases).not.toContain(pod.address);
    expect(snap.podLinks).toEqual(['lo']);
    expect(await rack.unreachable(pods.pod2!.netns, pod.address)).toBe(true);
    expect((await rack.cni('DEL', 'ctr-pod1', pod.path, rack.conf())).exitCode).toBe(0);
    expect((await rack.cni('DEL', 'ctr-pod1', '', rack.conf())).exitCode).toBe(0);
  }, 60_000);

  it('bad config gives a CNI error and leaves nothing half-made', async () => {
    const podx = rack.podNetns('podx');
    const path = await rack.addNetns(podx);
    const before = await rack.snapshot(podx);
    const { gateway: _gateway, ...noGateway } = rack.conf();
    const cases: { what: string; conf: Record<string, unknown> | string; env?: Record<string, string>; code: number; msg: RegExp }[] = [
      { what: 'missing gateway', conf: noGateway, code: 7, msg: /gateway: is required/ },
      { what: 'gateway with a prefix', conf: rack.conf({ gateway: '10.10.0.1/22' }), code: 7, msg: /gateway: .* is not an IPv4 address/ },
      { what: 'bad CIDR in the IPAM range', conf: rack.conf({}, { ranges: [[{ subnet: '10.10.0.0/33' }]] }), code: 100, msg: /ipam host-local ADD: invalid CIDR address/ },
      { what: 'host veth prefix too long', conf: rack.conf({ hostVethPrefix: 'toolong' }), code: 7, msg: /hostVethPrefix: .* longer than 4/ },
      { what: 'interface name too long', conf: rack.conf(), env: { CNI_IFNAME: 'eth0-far-too-long' }, code: 4, msg: /CNI_IFNAME: .* longer than 15/ },
      { what: 'unknown IPAM plugin', conf: rack.conf({}, { type: 'no-such-ipam' }), code: 7, msg: /ipam.type: plugin "no-such-ipam" not found/ },
      { what: 'IPAM range exhausted', conf: rack.conf({}, { ranges: [[{ subnet: '10.10.0.0/22', rangeStart: pods.pod2!.address, rangeEnd: pods.pod2!.address }]] }), code: 100, msg: /ipam host-local ADD: .*allocate/ },
      // Fails after the veth exists and the address is leased: both must be undone.
      { what: 'uplink that does not exist', conf: rack.conf({ uplink: 'nosuchlink0' }), code: 101, msg: /sysctl/ },
      { what: 'not JSON', conf: '{"cniVersion":', code: 6, msg: /not JSON/ },
      { what: 'unsupported version', conf: rack.conf({ cniVersion: '0.2.0' }), code: 1, msg: /cniVersion "0.2.0" is not supported/ },
    ];
    for (const c of cases) {
      const call = await rack.cni('ADD', 'ctr-bad', path, c.conf, c.env);
      expect(call.exitCode, c.what).toBe(1);
      expect(call.json, c.what).toMatchObject({ code: c.code, msg: expect.stringMatching(c.msg) });
      expect(await rack.snapshot(podx), c.what).toEqual(before);
    }
    // The pod that is still there was not disturbed by any of it.
    expect(await rack.ping(rack.tor, pods.pod2!.address)).toBe(true);
  }, 120_000);

  it('a namespace that does not exist is error 3 and changes nothing', async () => {
    const before = await rack.snapshot();
    const call = await rack.cni('ADD', 'ctr-ghost', `/var/run/netns/${rack.podNetns('ghost')}`, rack.conf());
    expect(call.json).toMatchObject({ code: 3 });
    expect(await rack.snapshot()).toEqual(before);
  }, 30_000);
});
