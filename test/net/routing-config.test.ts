// Routed-mode settings, the rendered bird.conf (checked by the real `bird -p`
// where bird2 is installed) and the birdc parser on captured output.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProcessRunner } from '../../common/exec/runner.js';
import { renderBirdConfig, validatePassword } from '../../agent/net/bird-config.js';
import { parseShowProtocols } from '../../agent/net/birdc.js';
import { sessionsOf, routingCondition } from '../../agent/net/routing.js';
import { parsePodNetworkSettings, type RoutedSettings } from '../../agent/net/routing-config.js';
import { describeWith } from '../support/components.js';

const BASE = { mode: 'routed', podBlock: '10.244.1.0/26', routerId: '10.99.0.11', localAsn: 64512, bgp: [{ name: 'tor1', address: '10.99.0.1', asn: 65000 }] };
const routed = (extra: Record<string, unknown> = {}) => parsePodNetworkSettings({ ...BASE, ...extra }) as RoutedSettings;

describe('podNetwork settings', () => {
  it('defaults to proxy-arp', () => {
    expect(parsePodNetworkSettings(undefined)).toEqual({ mode: 'proxy-arp' });
    expect(parsePodNetworkSettings({})).toEqual({ mode: 'proxy-arp' });
  });

  it('parses routed mode with defaults', () => {
    const s = routed();
    expect(s).toMatchObject({ mode: 'routed', localAsn: 64512, exportPodRoutes: false, gracefulRestart: true, birdDir: '/run/hostpilot/bird' });
    expect(s.bgp[0]).toMatchObject({ name: 'tor1', asn: 65000, holdTimeSeconds: 90 });
    expect(routed({ bgp: undefined, localAsn: undefined, ospf: { area: '0.0.0.1', interfaces: ['eth0'] } }).ospf).toEqual({ area: 1, interfaces: ['eth0'], helloSeconds: 10, deadSeconds: 40 });
  });

  it.each([
    [{ mode: 'bridge' }, 'podNetwork.mode: "bridge" must be one of proxy-arp, routed'],
    [{ podBlock: '10.244.1.5/26' }, 'podNetwork.podBlock: "10.244.1.5/26" must be a network prefix'],
    [{ podBlock: 'x' }, 'podNetwork.podBlock: "x" has no prefix length'],
    [{ routerId: '300.1.1.1' }, 'podNetwork.routerId: "300.1.1.1" is not an IPv4 address'],
    [{ localAsn: 0 }, 'podNetwork.localAsn: 0 must be an integer from 1 to 4294967294'],
    [{ localAsn: 23456 }, 'podNetwork.localAsn: 23456 is AS_TRANS'],
    [{ localAsn: undefined }, 'podNetwork.localAsn: is required with bgp peers'],
    [{ bgp: [{ name: 'tor1', address: '10.99.0.1', asn: 4294967295 }] }, 'podNetwork.bgp[0].asn: 4294967295 must be an integer'],
    [{ bgp: [{ name: '1tor', address: '10.99.0.1', asn: 65000 }] }, 'podNetwork.bgp[0].name: "1tor" must be a letter'],
    [{ bgp: [{ name: 'tor1', address: '10.99.0', asn: 65000 }] }, 'podNetwork.bgp[0].address: "10.99.0" is not an IPv4 address'],
    [{ bgp: [{ name: 'tor1', address: '10.99.0.1', asn: 65000, passwordFile: 'pw' }] }, 'podNetwork.bgp[0].passwordFile: must be an absolute path'],
    [{ bgp: [{ name: 'tor1', address: '10.99.0.1', asn: 65000, holdTimeSeconds: 2 }] }, 'podNetwork.bgp[0].holdTimeSeconds: 2 must be an integer from 3'],
    [{ bgp: [BASE.bgp[0], BASE.bgp[0]] }, 'podNetwork.bgp[1].name: "tor1" is used twice'],
    [{ bgp: [], localAsn: undefined }, 'podNetwork: routed mode needs "bgp" peers or an "ospf" area'],
    [{ ospf: { area: -1, interfaces: ['eth0'] } }, 'podNetwork.ospf.area: -1 must be an integer from 0 to 4294967295'],
    [{ ospf: { interfaces: [] } }, 'podNetwork.ospf.interfaces: must list at least one interface'],
    [{ ospf: { interfaces: ['a b'] } }, 'podNetwork.ospf.interfaces[0]: "a b" is not an interface name'],
    [{ ospf: { interfaces: ['eth0'], helloSeconds: 5, deadSeconds: 5 } }, 'podNetwork.ospf.deadSeconds: 5 must be longer than helloSeconds (5)'],
    [{ exportPodRoutes: 'yes' }, 'podNetwork.exportPodRoutes: must be true or false'],
    [{ birdDir: '/run/../x' }, 'podNetwork.birdDir: "/run/../x" is not an acceptable path'],
  ])('rejects %j with one line naming the field', (extra, message) => {
    expect(() => parsePodNetworkSettings({ ...BASE, ...extra })).toThrow(message);
  });

  it('passwords must be safe inside quotes', () => {
    expect(validatePassword('s3cret!\n', 'f')).toBe('s3cret!');
    expect(() => validatePassword('a"b', 'podNetwork.bgp[0].passwordFile')).toThrow('podNetwork.bgp[0].passwordFile: the password must be');
    expect(() => validatePassword('a b', 'f')).toThrow('f: the password');
  });
});

describe('bird.conf', () => {
  it('exports only the pod block (and /32s when asked), and nothing when withdrawn', () => {
    const text = renderBirdConfig(routed(), { announce: true, passwords: new Map([['tor1', 'pw']]) });
    expect(text).toContain('router id 10.99.0.11;');
    expect(text).toContain('  if net = 10.244.1.0/26 then accept;\n  reject;');
    expect(text).toContain('protocol bgp peer_tor1 {\n  local as 64512;\n  neighbor 10.99.0.1 as 65000;\n  hold time 90;\n  password "pw";\n  graceful restart on;');
    expect(text).not.toContain('protocol ospf');
    const pods = renderBirdConfig(routed({ exportPodRoutes: true }), { announce: true, passwords: new Map() });
    expect(pods).toContain('if net ~ [ 10.244.1.0/26{32,32} ] then accept;');
    expect(pods).toContain('  learn;');
    const withdrawn = renderBirdConfig(routed(), { announce: false, passwords: new Map() });
    expect(withdrawn).not.toContain('then accept');
    expect(renderBirdConfig(routed(), { announce: true, passwords: new Map() })).toBe(renderBirdConfig(routed(), { announce: true, passwords: new Map() }));
  });
});

describeWith(['bird'], 'bird.conf accepted by bird2 itself', () => {
  it.each([
    ['bgp', {}],
    ['bgp with /32s, no graceful restart', { exportPodRoutes: true, gracefulRestart: false }],
    ['ospf', { bgp: [], localAsn: undefined, ospf: { area: 0, interfaces: ['eth0', 'eth1'], helloSeconds: 1, deadSeconds: 4 } }],
  ])('%s', async (_name, extra) => {
    const dir = mkdtempSync(join(tmpdir(), 'hostpilot-birdconf-'));
    try {
      for (const announce of [true, false]) {
        const file = join(dir, 'bird.conf');
        writeFileSync(file, renderBirdConfig(routed(extra), { announce, passwords: new Map([['tor1', 'pw']]) }));
        const result = await new ProcessRunner().run({ argv: ['bird', '-p', '-c', file], okExitCodes: [0, 1] });
        expect(result.stderr).toBe('');
        expect(result.exitCode).toBe(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('birdc show protocols all', () => {
  const fixture = readFileSync('test/fixtures/net/birdc-show-protocols-all.txt', 'utf8');

  it('parses each protocol with its state, info and route counts', () => {
    const protocols = parseShowProtocols(fixture);
    expect(protocols.map((p) => [p.name, p.proto, p.state, p.info, p.imported, p.exported])).toEqual([
      ['device1', 'Device', 'up', '', 0, 0],
      ['hp_pods', 'Static', 'up', '', 1, 0],
      ['hp_kernel', 'Kernel', 'up', '', 0, 0],
      ['peer_tor', 'BGP', 'start', 'Idle', 0, 0],
      ['hp_ospf', 'OSPF', 'up', 'Alone', 0, 1],
    ]);
  });

  it('an idle BGP peer and a lonely OSPF area are sessions down: a problem', () => {
    const s = routed({ bgp: [{ name: 'tor', address: '10.99.0.1', asn: 65000 }], ospf: { area: 0, interfaces: ['eth0'] } });
    const sessions = sessionsOf(s, parseShowProtocols(fixture));
    expect(sessions.map((x) => [x.peer, x.up, x.exported])).toEqual([
      ['tor', false, 0],
      ['ospf', false, 1],
    ]);
    expect(routingCondition(s, true, sessions)).toMatchObject({ type: 'PodNetworkRouting', status: 'True', reason: 'SessionDown', message: 'tor: start Idle; ospf: up Alone' });
    expect(routingCondition(s, true, new Error('connection refused'))).toMatchObject({ status: 'True', reason: 'BirdUnreachable' });
    const up = sessions.map((x) => ({ ...x, up: true }));
    expect(routingCondition(s, true, up)).toMatchObject({ status: 'False', reason: 'Announced' });
    expect(routingCondition(s, false, up)).toMatchObject({ status: 'False', reason: 'Withdrawn' });
  });
});

describe('agent.json podNetwork section', () => {
  it('defaults without a file, reads the section and the socket, names the field on errors', async () => {
    const { loadPodNetworkSettings } = await import('../../agent/net/routing-config.js');
    const dir = mkdtempSync(join(tmpdir(), 'hostpilot-podnet-'));
    try {
      const file = join(dir, 'agent.json');
      expect(await loadPodNetworkSettings(file)).toEqual({ settings: { mode: 'proxy-arp' }, cniSocket: '/run/hostpilot/cni.sock' });
      writeFileSync(file, JSON.stringify({ units: {}, podNetwork: { ...BASE, cniSocket: '/run/x.sock' } }));
      const loaded = await loadPodNetworkSettings(file);
      expect(loaded.cniSocket).toBe('/run/x.sock');
      expect(loaded.settings.mode).toBe('routed');
      writeFileSync(file, JSON.stringify({ podNetwork: { cniSocket: `/${'a'.repeat(120)}` } }));
      await expect(loadPodNetworkSettings(file)).rejects.toThrow('podNetwork.cniSocket: is longer than a Unix socket path may be');
      writeFileSync(file, '{');
      await expect(loadPodNetworkSettings(file)).rejects.toThrow(`${file}: is not JSON`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
