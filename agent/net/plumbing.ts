// The host side of pod networking, through the one command runner: `ip
// -batch -` for the link, address and route changes, `nsenter --net=NETNS ip
// ...` inside the pod; sysctls through a SysctlAccess (`sysctl` via the
// runner by default, /proc/sys in the CNI plugin process). Every name and address
// has been validated (validate.ts) before it gets here; argv arrays only.
import { CommandError, type CommandRunner } from '../../common/exec/runner.js';
import type { HostBatch } from './ip-batch.js';
import type { PodSide } from './net-helper.js';
import { createHash } from 'node:crypto';
import { parseAddresses, parseLinks, parseRoutes, type AddressState, type LinkState, type RouteState } from './host-state.js';
import { CommandSysctl, type SysctlAccess } from './sysctl.js';
import type { PodNetworkMode } from './routing-config.js';
import { ipv4ConfKey, type Ipv4, type Ipv4Cidr } from './validate.js';

const IP_TIMEOUT_MS = 10_000;

export interface PodPlumbing {
  hostVeth: string;
  /** The interface inside the pod (CNI_IFNAME). */
  podIfName: string;
  /** Path of the pod's network namespace (CNI_NETNS). */
  netns: string;
  address: Ipv4Cidr;
  gateway: Ipv4;
  uplink: string;
  mtu: number;
  /** Absent in records written before routed mode existed: proxy-arp. */
  mode?: PodNetworkMode;
}

export interface PodInterfaces {
  hostMac: string;
  podMac: string;
}

/**
 * The sysctls a pod needs on the host: proxy ARP towards the TOR and towards
 * the pod, and forwarding. Per-interface keys first: a missing uplink fails
 * before the host-wide switch is touched. Routed mode needs forwarding only:
 * the pod's gateway is an address of its host veth, the router's next hop
 * for the pod block is the node itself.
 */
export function podSysctls(hostVeth: string, uplink: string, mode: PodNetworkMode = 'proxy-arp'): Map<string, string> {
  if (mode === 'routed') return new Map([['net.ipv4.ip_forward', '1']]);
  return new Map([
    [ipv4ConfKey(uplink, 'proxy_arp'), '1'],
    [ipv4ConfKey(hostVeth, 'proxy_arp'), '1'],
    ['net.ipv4.ip_forward', '1'],
  ]);
}

/**
 * A locally administered unicast MAC derived from the interface name: the
 * result can report it without reading it back, and a veth pair the
 * reconciler sets up again keeps the MAC the pod's neighbours knew.
 */
export function macFor(seed: string): string {
  const bytes = createHash('sha256').update(seed).digest().subarray(0, 6);
  bytes[0] = (bytes[0]! & 0xfe) | 0x02;
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

export function hostRouteFor(p: Pick<PodPlumbing, 'address'>): string {
  return `${p.address.ip.text}/32`;
}

export class HostPlumbing {
  private readonly sysctl: SysctlAccess;
  private readonly nsenter: string;
  private readonly hostBatch: HostBatch | undefined;
  private readonly podSide: PodSide | undefined;

  /**
   * `hostBatch`: a long-lived `ip -batch` (ip-batch.ts) for host-side changes; default one `ip` per call.
   * `podSide`: the native helper (net-helper.ts) for the pod's address and route; default `nsenter ... ip -batch -`.
   */
  constructor(
    private readonly runner: CommandRunner,
    options: { nsenter?: string; sysctl?: SysctlAccess; hostBatch?: HostBatch; podSide?: PodSide } = {},
  ) {
    this.nsenter = options.nsenter ?? 'nsenter';
    this.sysctl = options.sysctl ?? new CommandSysctl(runner);
    this.hostBatch = options.hostBatch;
    this.podSide = options.podSide;
  }

  private podArgv(netns: string, argv: string[]): string[] {
    return [this.nsenter, `--net=${netns}`, ...argv];
  }

  private async batch(lines: string[], netns?: string): Promise<void> {
    if (!netns && this.hostBatch) return this.hostBatch(lines);
    const argv = ['ip', '-batch', '-'];
    await this.runner.run({ argv: netns ? this.podArgv(netns, argv) : argv, input: lines.join('\n') + '\n', timeoutMs: IP_TIMEOUT_MS });
  }

  /**
   * Creates the veth pair with its peer born inside the pod (no name clash on
   * the host), the /32 host route, the sysctls, and the pod's address and
   * default route. Throws on the first failure; the caller removes the veth.
   */
  async createPod(p: PodPlumbing): Promise<PodInterfaces> {
    const hostMac = macFor(`host/${p.hostVeth}`);
    const podMac = macFor(`pod/${p.hostVeth}`);
    const routed = p.mode === 'routed';
    await this.batch([
      `link add ${p.hostVeth} mtu ${p.mtu} address ${hostMac} type veth peer name ${p.podIfName} mtu ${p.mtu} address ${podMac} netns ${p.netns}`,
      ...(routed ? [`addr replace ${p.gateway.text}/32 dev ${p.hostVeth} scope link`] : []),
      `link set ${p.hostVeth} up`,
      `route replace ${hostRouteFor(p)} dev ${p.hostVeth} scope link`,
    ]);
    await this.writeSysctls(podSysctls(p.hostVeth, p.uplink, p.mode));
    if (this.podSide) {
      await this.podSide({ netns: p.netns, ifName: p.podIfName, address: p.address, gateway: p.gateway });
      return { hostMac, podMac };
    }
    await this.batch(
      [
        `addr add ${p.address.text} dev ${p.podIfName}`,
        `link set ${p.podIfName} up`,
        `route replace default via ${p.gateway.text} dev ${p.podIfName} onlink`,
      ],
      p.netns,
    );
    return { hostMac, podMac };
  }

  /** Deletes a host veth (its peer and its routes go with it). False when it was already gone. */
  async deleteLink(name: string): Promise<boolean> {
    if (this.hostBatch) {
      try {
        await this.hostBatch([`link del dev ${name}`]);
        return true;
      } catch (err) {
        if (err instanceof CommandError && err.failure === 'exit' && /Cannot find device/.test(err.stderr)) return false;
        throw err;
      }
    }
    const result = await this.runner.run({ argv: ['ip', 'link', 'del', 'dev', name], okExitCodes: [0, 1], timeoutMs: IP_TIMEOUT_MS });
    if (result.exitCode === 0) return true;
    if (/Cannot find device/.test(result.stderr)) return false;
    throw new CommandError('exit', result.argv, result.exitCode, null, result.stdout, result.stderr, `exit code ${result.exitCode}: ${result.stderr.trim()}`);
  }

  async links(name?: string, netns?: string): Promise<LinkState[]> {
    const argv = name ? ['ip', '-j', 'link', 'show', 'dev', name] : ['ip', '-j', 'link', 'show'];
    const result = await this.runner.run({ argv: netns ? this.podArgv(netns, argv) : argv, okExitCodes: name ? [0, 1] : [0], timeoutMs: IP_TIMEOUT_MS });
    if (result.exitCode !== 0) {
      if (/does not exist|Cannot find device/.test(result.stderr)) return [];
      throw new CommandError('exit', result.argv, result.exitCode, null, result.stdout, result.stderr, result.stderr.trim());
    }
    return parseLinks(result.stdout);
  }

  async vethLinks(): Promise<LinkState[]> {
    const result = await this.runner.run({ argv: ['ip', '-j', 'link', 'show', 'type', 'veth'], timeoutMs: IP_TIMEOUT_MS });
    return parseLinks(result.stdout);
  }

  async routes(netns?: string): Promise<RouteState[]> {
    const argv = ['ip', '-4', '-j', 'route', 'show', 'table', 'main'];
    const result = await this.runner.run({ argv: netns ? this.podArgv(netns, argv) : argv, timeoutMs: IP_TIMEOUT_MS });
    return parseRoutes(result.stdout);
  }

  async addresses(ifName: string, netns: string): Promise<AddressState[]> {
    const result = await this.runner.run({ argv: this.podArgv(netns, ['ip', '-4', '-j', 'addr', 'show', 'dev', ifName]), okExitCodes: [0, 1], timeoutMs: IP_TIMEOUT_MS });
    return result.exitCode === 0 ? parseAddresses(result.stdout) : [];
  }

  async replaceHostRoute(dst: string, dev: string): Promise<void> {
    await this.runner.run({ argv: ['ip', 'route', 'replace', dst, 'dev', dev, 'scope', 'link'], timeoutMs: IP_TIMEOUT_MS });
  }

  async deleteHostRoute(dst: string, dev: string): Promise<void> {
    await this.runner.run({ argv: ['ip', 'route', 'del', dst, 'dev', dev], timeoutMs: IP_TIMEOUT_MS });
  }

  /** Keys that do not exist (an interface that is gone) are absent from the map. */
  readSysctls(keys: Iterable<string>): Promise<Map<string, string>> {
    return this.sysctl.read(keys);
  }

  writeSysctls(values: ReadonlyMap<string, string>): Promise<void> {
    return this.sysctl.write(values);
  }
}
