// Routed mode against real bird2 in network namespaces: a ToR namespace
// running its own BIRD, node namespaces whose agents render, start and read
// theirs, pods added through the built CNI executable.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWith } from '../support/components.js';
import { RoutedRack, TOR_ADDR, TOR_ASN, killByPidFile, waitFor, type RoutedNode } from './routed-support.js';
import { join } from 'node:path';

const COMPONENTS = ['ip', 'root', 'nsenter', 'ping', 'sysctl', 'host-local', 'bird', 'birdc'];

async function sessionUp(node: RoutedNode, peer: string): Promise<number | undefined> {
  const metric = (await node.registry.getMetricsAsJSON()).find((m) => m.name === 'hostpilot_bgp_session_up');
  return metric?.values.find((v) => v.labels.peer === peer)?.value;
}

describeWith(COMPONENTS, 'routed pod network over BGP to a ToR (bird2 in namespaces)', () => {
  const rack = new RoutedRack();
  let node1: RoutedNode;
  let node2: RoutedNode;
  let pod1: { netns: string; address: string };
  let pod2: { netns: string; address: string };

  beforeAll(async () => {
    try {
      await rack.setUpTor();
      const bgp = ({ asn }: { asn: number }) => ({ localAsn: asn, bgp: [{ name: 'tor', address: TOR_ADDR, asn: TOR_ASN, holdTimeSeconds: 9 }] });
      node1 = await rack.addNode('node1', 1, bgp);
      node2 = await rack.addNode('node2', 2, bgp);
      await rack.startTorBird(
        rack.nodes
          .map((n) => `protocol bgp ${n.name} { local as ${TOR_ASN}; neighbor ${n.uplinkAddr} as ${n.asn}; hold time 9; ipv4 { import all; export all; }; }`)
          .join('\n'),
      );
      pod1 = await rack.addPod(node1, 'pod1');
      pod2 = await rack.addPod(node2, 'pod2');
    } catch (err) {
      await rack.tearDown();
      throw err;
    }
  }, 120_000);

  afterAll(() => rack.tearDown(), 60_000);

  it('pods get /32s routed to their veths, with the veth as gateway and no proxy ARP', async () => {
    expect(pod1.address).toMatch(/^10\.244\.1\.\d+$/);
    expect(await rack.routeIn(pod1.netns, 'default')).toContain('default via 169.254.1.1 dev eth0 onlink');
    const addr = (await rack.ip('-n', pod1.netns, '-4', '-o', 'addr', 'show', 'dev', 'eth0')).stdout;
    expect(addr).toContain(`${pod1.address}/32`);
    expect(await rack.routeIn(node1.netns, `${pod1.address}/32`)).toMatch(/dev hp[0-9a-f]+ scope link/);
    const proxyArp = await rack.inNs(node1.netns, ['sysctl', '-n', 'net.ipv4.conf.uplink0.proxy_arp']);
    expect(proxyArp.stdout.trim()).toBe('0');
  }, 60_000);

  it('the agent starts bird, the ToR learns each node block via that node, and the condition says Announced', async () => {
    for (const node of [node1, node2]) {
      expect(await node.routing.converge()).toBe(true);
      // Same settings, same text: nothing to reload.
      expect(await node.routing.converge()).toBe(false);
    }
    for (const node of [node1, node2]) {
      const route = await waitFor(`ToR route to ${node.block}`, async () => {
        const r = await rack.torRoute(node.block);
        return r.includes(`via ${node.uplinkAddr}`) ? r : undefined;
      });
      expect(route).toContain('proto bird');
      const condition = await waitFor('condition Announced', async () => {
        const c = await node.routing.refresh();
        return c.reason === 'Announced' ? c : undefined;
      });
      expect(condition.status).toBe('False');
      expect(await sessionUp(node, 'tor')).toBe(1);
      const exported = (await node.registry.getMetricsAsJSON()).find((m) => m.name === 'hostpilot_net_routes_exported')!.values.find((v) => v.labels.peer === 'tor')!.value;
      expect(exported).toBe(1);
    }
  }, 120_000);

  it('the ToR reaches a pod, and a pod on another node reaches it through the ToR', async () => {
    expect(await rack.ping(rack.tor, pod1.address)).toBe(true);
    await waitFor('node2 learns node1 block from the ToR', async () => (await rack.routeIn(node2.netns, node1.block)).includes(`via ${TOR_ADDR}`));
    expect(await rack.ping(pod2.netns, pod1.address)).toBe(true);
    expect(await rack.ping(pod1.netns, pod2.address)).toBe(true);
  }, 120_000);

  it('a drain withdraws the block before the reboot, and it returns after', async () => {
    await node1.routing.withdraw();
    expect(node1.routing.condition()).toMatchObject({ status: 'False', reason: 'Withdrawn' });
    await waitFor('ToR forgets node1 block', async () => (await rack.torRoute(node1.block)) === '');
    expect(await rack.torRoute(node2.block)).toContain(`via ${node2.uplinkAddr}`);
    await node1.routing.announceAgain();
    await waitFor('ToR relearns node1 block', async () => (await rack.torRoute(node1.block)).includes(`via ${node1.uplinkAddr}`));
    expect(await rack.ping(rack.tor, pod1.address)).toBe(true);
  }, 120_000);

  it('stopping the peer, then the node bird, turns the condition into a problem', async () => {
    await rack.stopTorBird();
    const down = await waitFor('session down', async () => {
      const c = await node1.routing.refresh();
      return c.reason === 'SessionDown' ? c : undefined;
    });
    expect(down.status).toBe('True');
    expect(down.message).toContain('tor:');
    expect(await sessionUp(node1, 'tor')).toBe(0);
    await rack.restartTorBird();
    await waitFor('session back', async () => (await node1.routing.refresh()).reason === 'Announced');

    await killByPidFile(join(node1.settings.birdDir, 'bird.pid'));
    const gone = await node1.routing.refresh();
    expect(gone).toMatchObject({ status: 'True', reason: 'BirdUnreachable' });
    // The next converge starts it again.
    expect(await node1.routing.converge()).toBe(true);
    await waitFor('announced again', async () => (await node1.routing.refresh()).reason === 'Announced');
  }, 180_000);
});

describeWith(COMPONENTS, 'routed pod network over OSPF area 0 (two nodes and the ToR on one segment)', () => {
  const rack = new RoutedRack();
  let node1: RoutedNode;
  let node2: RoutedNode;

  beforeAll(async () => {
    try {
      await rack.setUpTor();
      const ospf = () => ({ ospf: { area: 0, interfaces: ['uplink0'], helloSeconds: 1, deadSeconds: 4 } });
      node1 = await rack.addNode('node1', 1, ospf);
      node2 = await rack.addNode('node2', 2, ospf);
      await rack.startTorBird('protocol ospf v2 { ipv4 { import all; export none; }; area 0 { interface "br0" { hello 1; dead 4; wait 2; }; }; }');
    } catch (err) {
      await rack.tearDown();
      throw err;
    }
  }, 120_000);

  afterAll(() => rack.tearDown(), 60_000);

  it('each node announces its block into the area; the ToR and the other node route it, pods reach each other', async () => {
    const pod1 = await rack.addPod(node1, 'pod1');
    const pod2 = await rack.addPod(node2, 'pod2');
    for (const node of [node1, node2]) await node.routing.converge();
    for (const node of [node1, node2]) {
      await waitFor(`ToR route to ${node.block} over OSPF`, async () => (await rack.torRoute(node.block)).includes(`via ${node.uplinkAddr}`));
      const c = await waitFor('OSPF running', async () => {
        const c = await node.routing.refresh();
        return c.reason === 'Announced' ? c : undefined;
      });
      expect(c.status).toBe('False');
    }
    // Nodes on one segment learn each other's block directly (OSPF next hop is the announcing node).
    await waitFor('node2 route to node1 block', async () => (await rack.routeIn(node2.netns, node1.block)).includes(`via ${node1.uplinkAddr}`));
    expect(await rack.ping(rack.tor, pod1.address)).toBe(true);
    expect(await rack.ping(pod2.netns, pod1.address)).toBe(true);
  }, 180_000);
});
