import { describe, expect, it } from 'vitest';
import type { LinkState, RouteState } from '../../agent/net/host-state.js';
import { describeRepair, planRepairs, sysctlsToRead, type Observed } from '../../agent/net/reconcile-plan.js';
import type { PodRecord } from '../../agent/net/state-store.js';
import { hostVethName } from '../../agent/net/validate.js';

function record(id: string, address: string, over: Partial<PodRecord> = {}): PodRecord {
  return {
    version: 1,
    phase: 'ready',
    network: 'podnet',
    containerId: id,
    ifName: 'eth0',
    netns: `/var/run/netns/${id}`,
    hostVeth: hostVethName('hp', id, 'eth0'),
    hostVethPrefix: 'hp',
    address,
    gateway: '10.10.0.1',
    uplink: 'uplink0',
    mtu: 1500,
    ipamType: 'host-local',
    cniPath: ['/usr/lib/cni'],
    config: {},
    updatedAt: '2026-11-21T00:00:00Z',
    ...over,
  };
}

const a = record('a', '10.10.0.10/22');
const b = record('b', '10.10.0.11/22');

function inSync(records: PodRecord[]): Observed {
  const veths: LinkState[] = records.map((r) => ({ name: r.hostVeth, mac: '', up: true }));
  const routes: RouteState[] = records.map((r) => ({ dst: `${r.address.split('/')[0]}/32`, dev: r.hostVeth, scope: 'link' }));
  const sysctls = new Map(sysctlsToRead(records, veths).map((k) => [k, '1']));
  return { veths, routes, sysctls, netnsExists: () => true };
}

describe('planRepairs', () => {
  it('plans nothing when the host matches the records', () => {
    expect(planRepairs([a, b], inSync([a, b]), ['hp'])).toEqual([]);
  });

  it('re-adds a missing route and a sysctl that was reset', () => {
    const observed = inSync([a, b]);
    const sysctls = new Map(observed.sysctls);
    sysctls.set('net.ipv4.ip_forward', '0');
    sysctls.delete(`net.ipv4.conf.${b.hostVeth}.proxy_arp`);
    const repairs = planRepairs([a, b], { ...observed, routes: observed.routes.slice(1), sysctls }, ['hp']);
    expect(repairs.map(describeRepair)).toEqual([
      `route 10.10.0.10/32 dev ${a.hostVeth} was missing: added`,
      'net.ipv4.ip_forward was 0: set to 1',
      `net.ipv4.conf.${b.hostVeth}.proxy_arp was absent: set to 1`,
    ]);
  });

  it('removes what belongs to a pod whose namespace is gone, even mid-ADD', () => {
    const half = record('c', '', { phase: 'adding' });
    const repairs = planRepairs([a, half], { ...inSync([a]), netnsExists: (p) => p !== half.netns }, ['hp']);
    expect(repairs).toEqual([{ kind: 'pod_gone', record: half }]);
  });

  it('leaves a pod being added alone, and does not take its veth for an orphan', () => {
    const adding = record('c', '10.10.0.12/22', { phase: 'adding' });
    const observed = inSync([a]);
    const repairs = planRepairs([a, adding], { ...observed, veths: [...observed.veths, { name: adding.hostVeth, mac: '', up: false }] }, ['hp']);
    expect(repairs).toEqual([]);
  });

  it('does not set up again a pod that DEL is taking down', () => {
    const deleting = { ...b, phase: 'deleting' as const };
    const observed = inSync([a]);
    expect(planRepairs([a, deleting], observed, ['hp'])).toEqual([]);
  });

  it('sets up a pod again whose veth is gone while its namespace stays', () => {
    const observed = inSync([a, b]);
    expect(planRepairs([a, b], { ...observed, veths: observed.veths.slice(0, 1) }, ['hp'])).toEqual([{ kind: 'veth_missing', record: b }]);
  });

  it('removes our orphan veths and stale routes, never other interfaces', () => {
    const observed = inSync([a]);
    const orphan = hostVethName('hp', 'gone', 'eth0');
    const repairs = planRepairs(
      [a],
      {
        ...observed,
        veths: [...observed.veths, { name: orphan, mac: '', up: true }, { name: 'vethabcdef', mac: '', up: true }, { name: 'hpshort', mac: '', up: true }, { name: hostVethName('cali', 'x', 'eth0'), mac: '', up: true }],
        routes: [...observed.routes, { dst: '10.10.0.99/32', dev: a.hostVeth }, { dst: '10.10.0.0/22', dev: 'uplink0' }],
      },
      ['hp'],
    );
    expect(repairs).toEqual([
      { kind: 'stale_route', dst: '10.10.0.99/32', dev: a.hostVeth },
      { kind: 'orphan_veth', name: orphan },
    ]);
  });
});
