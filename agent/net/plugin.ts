// The CNI plugin's logic: one request (CNI_* environment + config on stdin)
// in, one reply (result or error JSON on stdout + exit code) out. cni-main.ts
// only wires it to the process.
import { existsSync } from 'node:fs';
import { CommandError, type CommandRunner } from '../../common/exec/runner.js';
import { CniCode, CniError } from './cni-error.js';
import { decodeNetConf, parseCniEnv, parseCommand, parseDelConf, parseNetConf, SUPPORTED_VERSIONS, type CniEnv, type DelConf, type NetConf } from './config.js';
import { IpamDelegate, type Ipam, type IpamAllocation } from './ipam.js';
import { diagnosePod } from './diagnose.js';
import type { HostBatch } from './ip-batch.js';
import type { PodSide } from './net-helper.js';
import { HostPlumbing, type PodInterfaces } from './plumbing.js';
import type { SysctlAccess } from './sysctl.js';
import { PodStateStore, RECORD_VERSION, type PodRecord } from './state-store.js';
import { hostVethName } from './validate.js';

export interface CniReply {
  stdout: string;
  exitCode: number;
}

export interface CniPluginDeps {
  runner: CommandRunner;
  pathExists?: (path: string) => boolean;
  isExecutable?: (path: string) => boolean;
  now?: () => Date;
  nsenter?: string;
  /** Default: through the runner (`sysctl`). cni-main.ts writes /proc/sys directly. */
  sysctl?: SysctlAccess;
  /** The agent's long-lived `ip -batch` for host-side changes (ip-batch.ts); the standalone plugin has none. */
  hostBatch?: HostBatch;
  /** The pod side of ADD without a child (the agent's native helper); default `nsenter ... ip -batch -`. */
  podSide?: PodSide;
  /** Default: the IPAM plugin exec'd from CNI_PATH. The agent passes its in-process host-local (host-local.ts). */
  ipam?: (delegate: IpamDelegate) => Ipam;
}

export class CniPlugin {
  private readonly plumbing: HostPlumbing;
  private readonly ipam: Ipam;
  private readonly pathExists: (path: string) => boolean;
  private readonly now: () => Date;

  constructor(deps: CniPluginDeps) {
    this.plumbing = new HostPlumbing(deps.runner, {
      ...(deps.nsenter ? { nsenter: deps.nsenter } : {}),
      ...(deps.sysctl ? { sysctl: deps.sysctl } : {}),
      ...(deps.hostBatch ? { hostBatch: deps.hostBatch } : {}),
      ...(deps.podSide ? { podSide: deps.podSide } : {}),
    });
    const delegate = new IpamDelegate(deps.runner, deps.isExecutable);
    this.ipam = deps.ipam ? deps.ipam(delegate) : delegate;
    this.pathExists = deps.pathExists ?? existsSync;
    this.now = deps.now ?? (() => new Date());
  }

  async handle(envVars: Record<string, string | undefined>, stdin: string): Promise<CniReply> {
    let cniVersion = '1.0.0';
    try {
      const command = parseCommand(envVars);
      if (command === 'VERSION') return { stdout: JSON.stringify({ cniVersion: '1.0.0', supportedVersions: SUPPORTED_VERSIONS }), exitCode: 0 };
      const raw = decodeNetConf(stdin);
      if (typeof raw.cniVersion === 'string' && (SUPPORTED_VERSIONS as readonly string[]).includes(raw.cniVersion)) cniVersion = raw.cniVersion;
      if (command === 'DEL') {
        const delConf = parseDelConf(raw);
        await this.del(delConf, parseCniEnv(envVars));
        return { stdout: '', exitCode: 0 };
      }
      const conf = parseNetConf(raw);
      const env = parseCniEnv(envVars);
      switch (env.command) {
        case 'ADD':
          return { stdout: JSON.stringify(await this.add(conf, env)), exitCode: 0 };
        case 'DEL':
          throw new Error('DEL is handled above');
        case 'CHECK':
          if (conf.cniVersion.startsWith('0.3.')) throw new CniError(CniCode.incompatibleVersion, `CHECK is not defined for cniVersion ${conf.cniVersion}`, 'CHECK needs 0.4.0 or later');
          await this.check(conf, env);
          return { stdout: '', exitCode: 0 };
        case 'VERSION':
          return { stdout: JSON.stringify({ cniVersion: '1.0.0', supportedVersions: SUPPORTED_VERSIONS }), exitCode: 0 };
        default: {
          const never: never = env.command;
          throw new Error(`unhandled ${String(never)}`);
        }
      }
    } catch (err) {
      return { stdout: JSON.stringify(toCniError(err).toJSON(cniVersion)), exitCode: 1 };
    }
  }

  private ipamRequest(conf: DelConf, env: CniEnv, path = env.path) {
    return { pluginType: conf.ipamType, containerId: env.containerId, netns: env.netns, ifName: env.ifName, args: env.args, path, config: conf.raw };
  }

  private async add(conf: NetConf, env: CniEnv): Promise<Record<string, unknown>> {
    if (!this.pathExists(env.netns)) throw new CniError(CniCode.unknownContainer, `CNI_NETNS ${env.netns} does not exist`);
    if (conf.mode === 'proxy-arp' && env.ifName === conf.uplink) throw new CniError(CniCode.invalidEnvironment, `CNI_IFNAME ${env.ifName} is the same name as the uplink`);
    // Fail before touching anything when the IPAM plugin is not there.
    this.ipam.findPlugin(conf.ipamType, env.path);
    const store = new PodStateStore(conf.stateDir);
    const existing = await store.read(env.containerId, env.ifName);
    if (existing) {
      // Never clean up here: that would tear down a pod another ADD set up.
      throw new CniError(CniCode.tryAgainLater, `${env.containerId}/${env.ifName} already has a network (phase ${existing.phase}); DEL it first`);
    }
    const record: PodRecord = {
      version: RECORD_VERSION,
      phase: 'adding',
      network: conf.name,
      containerId: env.containerId,
      ifName: env.ifName,
      netns: env.netns,
      hostVeth: hostVethName(conf.hostVethPrefix, env.containerId, env.ifName),
      hostVethPrefix: conf.hostVethPrefix,
      address: '',
      gateway: conf.gateway.text,
      uplink: conf.uplink,
      mtu: conf.mtu,
      mode: conf.mode,
      ipamType: conf.ipamType,
      cniPath: env.path,
      config: conf.raw,
      updatedAt: this.now().toISOString(),
    };
    await store.write(record);
    let allocated = false;
    let vethMayExist = false;
    try {
      const alloc = await this.ipam.add(this.ipamRequest(conf, env)).catch(async (err: unknown) => {
        // A failed IPAM ADD should hold nothing, but a DEL costs little and frees a partial lease.
        await this.ipam.del(this.ipamRequest(conf, env)).catch(() => undefined);
        throw err;
      });
      allocated = true;
      // Routed: the pod's address is a /32 (its neighbours in the block are behind the host, not on-link).
      const address = conf.mode === 'routed' ? { ip: alloc.address.ip, prefix: 32, text: `${alloc.address.ip.text}/32` } : alloc.address;
      record.address = address.text;
      await store.write(record);
      vethMayExist = true;
      const ifaces = await this.plumbing.createPod({
        hostVeth: record.hostVeth,
        podIfName: env.ifName,
        netns: env.netns,
        address,
        gateway: conf.gateway,
        uplink: conf.uplink,
        mtu: conf.mtu,
        mode: conf.mode,
      });
      record.phase = 'ready';
      record.updatedAt = this.now().toISOString();
      await store.write(record);
      return buildResult(conf, env, record.hostVeth, { ...alloc, address }, ifaces);
    } catch (err) {
      const cleanupErrors: string[] = [];
      if (vethMayExist) await this.plumbing.deleteLink(record.hostVeth).catch((e: unknown) => cleanupErrors.push(`veth: ${(e as Error).message}`));
      if (allocated) await this.ipam.del(this.ipamRequest(conf, env)).catch((e: unknown) => cleanupErrors.push(`ipam DEL: ${(e as Error).message}`));
      // With cleanup incomplete the record stays, so the runtime's DEL (or the reconciler, once the pod is gone) finishes it.
      if (cleanupErrors.length === 0) await store.remove(env.containerId, env.ifName);
      const cniErr = toCniError(err);
      if (cleanupErrors.length === 0) throw cniErr;
      throw new CniError(cniErr.code, cniErr.msg, [cniErr.details, `cleanup incomplete: ${cleanupErrors.join('; ')}`].filter(Boolean).join('; '));
    }
  }

  /** Idempotent: whatever is already gone is fine. */
  private async del(conf: DelConf, env: CniEnv): Promise<void> {
    const store = new PodStateStore(conf.stateDir);
    const record = await store.read(env.containerId, env.ifName).catch(() => undefined);
    const hostVeth = record?.hostVeth ?? hostVethName(conf.hostVethPrefix, env.containerId, env.ifName);
    // Mark it first, so the reconciler does not set up again what DEL is taking down.
    if (record && record.phase !== 'deleting') await store.write({ ...record, phase: 'deleting', updatedAt: this.now().toISOString() });
    await this.plumbing.deleteLink(hostVeth);
    const path = env.path.length > 0 ? env.path : (record?.cniPath ?? []);
    await this.ipam.del(this.ipamRequest(conf, env, path));
    await store.remove(env.containerId, env.ifName);
  }

  private async check(conf: NetConf, env: CniEnv): Promise<void> {
    const store = new PodStateStore(conf.stateDir);
    const record = await store.read(env.containerId, env.ifName);
    if (!record || record.phase !== 'ready') throw new CniError(CniCode.checkFailed, `no completed ADD recorded for ${env.containerId}/${env.ifName}`);
    const prevAddresses = prevResultAddresses(conf.prevResult);
    if (prevAddresses && !prevAddresses.includes(record.address)) {
      throw new CniError(CniCode.checkFailed, `prevResult does not hold the address ADD assigned (${record.address})`);
    }
    await this.ipam.check(this.ipamRequest(conf, env));
    const problems = await diagnosePod(this.plumbing, record);
    if (problems.length > 0) throw new CniError(CniCode.checkFailed, `pod network differs from what ADD set up: ${problems.join('; ')}`);
  }
}

function prevResultAddresses(prev: unknown): string[] | undefined {
  if (typeof prev !== 'object' || prev === null) return undefined;
  const ips = (prev as { ips?: unknown }).ips;
  if (!Array.isArray(ips)) return undefined;
  return ips.map((e) => (e as { address?: unknown }).address).filter((a): a is string => typeof a === 'string');
}

export function buildResult(conf: NetConf, env: CniEnv, hostVeth: string, alloc: IpamAllocation, ifaces: PodInterfaces): Record<string, unknown> {
  // 0.3.x/0.4.0 results carry an IP version per address; 1.0.0 dropped it.
  const legacy = conf.cniVersion !== '1.0.0';
  return {
    cniVersion: conf.cniVersion,
    interfaces: [
      { name: hostVeth, mac: ifaces.hostMac },
      { name: env.ifName, mac: ifaces.podMac, sandbox: env.netns },
    ],
    ips: [{ ...(legacy ? { version: '4' } : {}), address: alloc.address.text, gateway: conf.gateway.text, interface: 1 }],
    routes: [{ dst: '0.0.0.0/0', gw: conf.gateway.text }],
    dns: alloc.dns ?? {},
  };
}

export function toCniError(err: unknown): CniError {
  if (err instanceof CniError) return err;
  if (err instanceof CommandError) return new CniError(CniCode.plumbingFailed, `${err.argv.slice(0, 4).join(' ')} failed: ${err.failure}`, err.stderr.trim().slice(0, 500) || err.message);
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string') return new CniError(CniCode.ioFailure, `I/O failure: ${(err as Error).message}`);
  return new CniError(CniCode.plumbingFailed, err instanceof Error ? err.message : String(err));
}
