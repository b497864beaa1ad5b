// Helpers for the suites that build a small rack in real network namespaces:
// a "tor" namespace with the gateway address, a "host" namespace with an
// uplink veth to it, and one namespace per pod. Every name carries a per-run
// suffix, so parallel runs and left-overs of a killed run never collide.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ProcessRunner, type CommandResult, type CommandRunner, type CommandSpec } from '../../common/exec/runner.js';

export const CNI_MAIN = resolve('dist/agent/net/cni-main.js');
export const GATEWAY = '10.10.0.1';
export const HOST_UPLINK_ADDR = '10.10.0.2/22';
export const SUBNET = '10.10.0.0/22';

/** Runs every command inside one network namespace: how the agent sees "the host" in these tests. */
export class NetnsRunner implements CommandRunner {
  constructor(
    private readonly inner: CommandRunner,
    readonly netns: string,
  ) {}
  run(spec: CommandSpec): Promise<CommandResult> {
    return this.inner.run({ ...spec, argv: ['ip', 'netns', 'exec', this.netns, ...spec.argv] });
  }
}

export interface CniCall {
  exitCode: number;
  json: Record<string, unknown> | undefined;
  stdout: string;
}

export class Rack {
  readonly runner = new ProcessRunner();
  readonly id = randomBytes(3).toString('hex');
  readonly tor = `hpt-${this.id}-tor`;
  readonly host = `hpt-${this.id}-host`;
  readonly dir = mkdtempSync(join(tmpdir(), 'hostpilot-cni-'));
  readonly stateDir = join(this.dir, 'state');
  readonly ipamDir = join(this.dir, 'ipam');
  private readonly created: string[] = [];

  async ip(...argv: string[]): Promise<CommandResult> {
    return this.runner.run({ argv: ['ip', ...argv], timeoutMs: 10_000 });
  }

  async addNetns(name: string): Promise<string> {
    await this.ip('netns', 'add', name);
    this.created.push(name);
    await this.ip('-n', name, 'link', 'set', 'lo', 'up');
    return `/var/run/netns/${name}`;
  }

  podNetns(name: string): string {
    return `hpt-${this.id}-${name}`;
  }

  async setUp(): Promise<void> {
    if (!existsSync(CNI_MAIN)) throw new Error(`${CNI_MAIN} is missing: run "npm run build" first (CI builds before testing)`);
    await this.addNetns(this.tor);
    await this.addNetns(this.host);
    await this.ip('-n', this.host, 'link', 'add', 'uplink0', 'type', 'veth', 'peer', 'name', 'tor0', 'netns', `/var/run/netns/${this.tor}`);
    await this.ip('-n', this.tor, 'addr', 'add', `${GATEWAY}/22`, 'dev', 'tor0');
    await this.ip('-n', this.tor, 'link', 'set', 'tor0', 'up');
    await this.ip('-n', this.host, 'addr', 'add', HOST_UPLINK_ADDR, 'dev', 'uplink0');
    await this.ip('-n', this.host, 'link', 'set', 'uplink0', 'up');
  }

  /** Removes every namespace this run made, whatever state they are in. */
  async tearDown(): Promise<void> {
    for (const name of this.created.reverse()) {
      await this.ip('netns', 'del', name).catch(() => undefined);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  async forgetNetns(name: string): Promise<void> {
    await this.ip('netns', 'del', name);
    this.created.splice(this.created.indexOf(name), 1);
  }

  conf(overrides: Record<string, unknown> = {}, ipamOverrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      cniVersion: '1.0.0',
      name: 'podnet',
      type: 'hostpilot-cni',
      gateway: GATEWAY,
      uplink: 'uplink0',
      mtu: 1500,
      hostVethPrefix: 'hp',
      stateDir: this.stateDir,
      ipam: {
        type: 'host-local',
        dataDir: this.ipamDir,
        ranges: [[{ subnet: SUBNET, rangeStart: '10.10.0.10', rangeEnd: '10.10.0.200', gateway: GATEWAY }]],
        ...ipamOverrides,
      },
      ...overrides,
    };
  }

  /** Calls the plugin as a runtime would: the built executable, run inside the host namespace. */
  async cni(command: string, containerId: string, netns: string, conf: Record<string, unknown> | string, env: Record<string, string> = {}): Promise<CniCall> {
    const result = await this.runner.run({
      argv: ['ip', 'netns', 'exec', this.host, CNI_MAIN],
      env: { CNI_COMMAND: command, CNI_CONTAINERID: containerId, CNI_NETNS: netns, CNI_IFNAME: 'eth0', CNI_PATH: '/usr/lib/cni', ...env },
      input: typeof conf === 'string' ? conf : JSON.stringify(conf),
      okExitCodes: [0, 1],
      timeoutMs: 30_000,
    });
    const text = result.stdout.trim();
    return { exitCode: result.exitCode, stdout: text, json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  }

  /** True on the first reply; keeps trying (ARP, proxy_delay) for up to 10 s on a busy machine. */
  async ping(fromNetns: string, address: string): Promise<boolean> {
    const result = await this.runner.run({ argv: ['ip', 'netns', 'exec', fromNetns, 'ping', '-n', '-q', '-c', '1', '-i', '0.5', '-w', '10', address], okExitCodes: [0, 1], timeoutMs: 20_000 });
    return result.exitCode === 0;
  }

  /** For addresses that must not answer: one probe, a short wait. */
  async unreachable(fromNetns: string, address: string): Promise<boolean> {
    const result = await this.runner.run({ argv: ['ip', 'netns', 'exec', fromNetns, 'ping', '-n', '-q', '-c', '1', '-W', '2', address], okExitCodes: [0, 1], timeoutMs: 10_000 });
    return result.exitCode !== 0;
  }

  /** Everything a half-made ADD could leave: veths, routes, records, address leases, pod interfaces. */
  async snapshot(podNetns?: string): Promise<Record<string, unknown>> {
    const links = JSON.parse((await this.ip('-n', this.host, '-j', 'link', 'show')).stdout) as { ifname: string }[];
    const routes = JSON.parse((await this.ip('-n', this.host, '-4', '-j', 'route', 'show')).stdout) as { dst: string; dev: string }[];
    const podLinks = podNetns ? (JSON.parse((await this.ip('-n', podNetns, '-j', 'link', 'show')).stdout) as { ifname: string }[]).map((l) => l.ifname) : [];
    const list = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => !f.startsWith('last_reserved_ip') && f !== 'lock').sort() : []);
    return {
      hostLinks: links.map((l) => l.ifname).sort(),
      hostRoutes: routes.map((r) => `${r.dst} ${r.dev}`).sort(),
      records: list(join(this.stateDir, 'pods')),
      leases: list(join(this.ipamDir, 'podnet')),
      podLinks,
    };
  }
}
