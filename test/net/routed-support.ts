// A rack for routed mode in real network namespaces: a "tor" namespace with a
// bridge and its own bird2, node namespaces on that segment, each running the
// agent's PodNetworkRouting (its BIRD inside the node namespace) and the built
// CNI executable, and pods behind them. Random names; tearDown kills every
// BIRD by its pid and deletes every namespace, whatever happened.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { ProcessRunner, type CommandResult } from '../../common/exec/runner.js';
import { PodNetworkRouting } from '../../agent/net/routing.js';
import { parsePodNetworkSettings, type RoutedSettings } from '../../agent/net/routing-config.js';
import { CNI_MAIN, NetnsRunner } from './netns-support.js';

export const TOR_ADDR = '10.99.0.1';
export const TOR_ASN = 65000;

export interface RoutedNode {
  name: string;
  netns: string;
  uplinkAddr: string;
  block: string;
  asn: number;
  dir: string;
  settings: RoutedSettings;
  routing: PodNetworkRouting;
  registry: Registry;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    // Bounds a hang only: the assertion is on the state reached, not the time taken.
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export class RoutedRack {
  readonly runner = new ProcessRunner();
  readonly id = randomBytes(3).toString('hex');
  readonly tor = `hpr-${this.id}-tor`;
  readonly dir = mkdtempSync(join(tmpdir(), 'hostpilot-routed-'));
  readonly nodes: RoutedNode[] = [];
  private readonly namespaces: string[] = [];
  private readonly pidFiles: string[] = [];
  private torConf = '';

  ip(...argv: string[]): Promise<CommandResult> {
    return this.runner.run({ argv: ['ip', ...argv], timeoutMs: 10_000 });
  }

  inNs(netns: string, argv: string[], okExitCodes = [0]): Promise<CommandResult> {
    return this.runner.run({ argv: ['ip', 'netns', 'exec', netns, ...argv], timeoutMs: 20_000, okExitCodes });
  }

  async addNetns(name: string): Promise<string> {
    await this.ip('netns', 'add', name);
    this.namespaces.push(name);
    await this.ip('-n', name, 'link', 'set', 'lo', 'up');
    return `/var/run/netns/${name}`;
  }

  get torSocket(): string {
    return join(this.dir, 'tor.ctl');
  }

  async setUpTor(): Promise<void> {
    await this.addNetns(this.tor);
    await this.ip('-n', this.tor, 'link', 'add', 'br0', 'type', 'bridge');
    await this.ip('-n', this.tor, 'addr', 'add', `${TOR_ADDR}/24`, 'dev', 'br0');
    await this.ip('-n', this.tor, 'link', 'set', 'br0', 'up');
    await this.inNs(this.tor, ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
  }

  /** A node on the tor's segment, with routed settings for its agent. */
  async addNode(name: string, index: number, podNetwork: (n: { uplinkAddr: string; block: string; asn: number }) => Record<string, unknown>): Promise<RoutedNode> {
    const netns = `hpr-${this.id}-${name}`;
    await this.addNetns(netns);
    const uplinkAddr = `10.99.0.${10 + index}`;
    const torPort = `p${index}-${this.id}`;
    await this.ip('-n', netns, 'link', 'add', 'uplink0', 'type', 'veth', 'peer', 'name', torPort, 'netns', `/var/run/netns/${this.tor}`);
    await this.ip('-n', this.tor, 'link', 'set', torPort, 'master', 'br0');
    await this.ip('-n', this.tor, 'link', 'set', torPort, 'up');
    await this.ip('-n', netns, 'addr', 'add', `${uplinkAddr}/24`, 'dev', 'uplink0');
    await this.ip('-n', netns, 'link', 'set', 'uplink0', 'up');
    const block = `10.244.${index}.0/26`;
    const asn = 64511 + index;
    const dir = join(this.dir, name);
    mkdirSync(dir, { recursive: true });
    const settings = parsePodNetworkSettings({ mode: 'routed', podBlock: block, routerId: uplinkAddr, birdDir: join(dir, 'bird'), ...podNetwork({ uplinkAddr, block, asn }) }) as RoutedSettings;
    this.pidFiles.push(join(dir, 'bird', 'bird.pid'));
    const registry = new Registry();
    const routing = new PodNetworkRouting({ runner: new NetnsRunner(this.runner, netns), registry, settings, withdrawnMarker: join(dir, 'withdrawn') });
    const node = { name, netns, uplinkAddr, block, asn, dir, settings, routing, registry };
    this.nodes.push(node);
    return node;
  }

  /** The tor's own bird2: `protocols` is the BGP sessions or OSPF area, in BIRD's syntax. */
  async startTorBird(protocols: string): Promise<void> {
    this.torConf = join(this.dir, 'tor.conf');
    writeFileSync(this.torConf, [`router id ${TOR_ADDR};`, 'protocol device { scan time 10; }', 'protocol kernel { ipv4 { export all; }; }', protocols].join('\n') + '\n');
    this.pidFiles.push(join(this.dir, 'tor.pid'));
    await this.inNs(this.tor, ['bird', '-c', this.torConf, '-s', this.torSocket, '-P', join(this.dir, 'tor.pid')]);
  }

  async stopTorBird(): Promise<void> {
    await killByPidFile(join(this.dir, 'tor.pid'));
  }

  async restartTorBird(): Promise<void> {
    await this.inNs(this.tor, ['bird', '-c', this.torConf, '-s', this.torSocket, '-P', join(this.dir, 'tor.pid')]);
  }

  async torRoute(prefix: string): Promise<string> {
    return (await this.ip('-n', this.tor, '-4', 'route', 'show', prefix)).stdout.trim();
  }

  async routeIn(netns: string, prefix: string): Promise<string> {
    return (await this.ip('-n', netns, '-4', 'route', 'show', prefix)).stdout.trim();
  }

  conf(node: RoutedNode): Record<string, unknown> {
    return {
      cniVersion: '1.0.0',
      name: 'podnet',
      type: 'hostpilot-cni',
      mode: 'routed',
      stateDir: join(node.dir, 'cni'),
      ipam: { type: 'host-local', dataDir: join(node.dir, 'ipam'), ranges: [[{ subnet: node.block }]] },
    };
  }

  /** A pod on the node through the built CNI executable; returns its address (no prefix). */
  async addPod(node: RoutedNode, name: string): Promise<{ netns: string; address: string }> {
    const netns = `hpr-${this.id}-${name}`;
    const path = await this.addNetns(netns);
    const result = await this.runner.run({
      argv: ['ip', 'netns', 'exec', node.netns, CNI_MAIN],
      env: { CNI_COMMAND: 'ADD', CNI_CONTAINERID: `ctr-${name}`, CNI_NETNS: path, CNI_IFNAME: 'eth0', CNI_PATH: '/usr/lib/cni' },
      input: JSON.stringify(this.conf(node)),
      timeoutMs: 30_000,
      okExitCodes: [0, 1],
    });
    if (result.exitCode !== 0) throw new Error(`ADD ${name}: ${result.stdout}`);
    const ips = (JSON.parse(result.stdout) as { ips: { address: string }[] }).ips;
    return { netns, address: ips[0]!.address.split('/')[0]! };
  }

  async ping(fromNetns: string, address: string): Promise<boolean> {
    const result = await this.inNs(fromNetns, ['ping', '-n', '-q', '-c', '1', '-i', '0.5', '-w', '10', address], [0, 1]);
    return result.exitCode === 0;
  }

  async tearDown(): Promise<void> {
    for (const node of this.nodes) await node.routing.stop().catch(() => undefined);
    for (const file of this.pidFiles) await killByPidFile(file).catch(() => undefined);
    for (const name of this.namespaces.reverse()) await this.ip('netns', 'del', name).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** SIGTERM to the pid in the file, then waits (bounded) for it to be gone. */
export async function killByPidFile(file: string): Promise<void> {
  if (!existsSync(file)) return;
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 1) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  await waitFor(`bird ${pid} to exit`, async () => {
    try {
      process.kill(pid, 0);
      return false;
    } catch {
      return true;
    }
  }, 20_000).catch(() => process.kill(pid, 'SIGKILL'));
  rmSync(file, { force: true });
}
