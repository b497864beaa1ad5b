// host-local IPAM in the agent's process, on host-local's own on-disk state,
// so the agent and an exec'd host-local (the Node.js fallback plugin, another
// plugin on the node) share one allocation state. The layout and discipline
// follow containernetworking/plugins plugins/ipam/host-local (backend/disk,
// backend/allocator):
//   <dataDir>/<network name>/            dataDir default /var/lib/cni/networks
//     lock                               flock(LOCK_EX) around every allocation and release
//     <ip>                               one lease, created O_EXCL, "<containerID>\r\n<ifname>"
//     last_reserved_ip.<range set index> where the round-robin search resumes
// Allocation walks the range set from the last reserved address + 1, skips
// each range's gateway, wraps once, and takes the first address whose file
// it creates; an ADD for an id/ifname that already holds an address in the
// set fails (no duplicate allocation); DEL removes every lease whose content
// is "<id>\r\n<ifname>" (or, for leases of older host-local versions, "<id>").
//
// Only the common case runs here: one IPv4 range set, no requested addresses
// (CNI_ARGS IP=, args.cni.ips, runtimeConfig), no resolvConf. Anything else,
// and any config this parser does not understand, goes to the real plugin
// (ipam.ts), which then answers with its own result or error.
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { CniCode, CniError } from './cni-error.js';
import type { Ipam, IpamAllocation, IpamRequest } from './ipam.js';
import type { FileLock } from './net-helper.js';
import { ipv4FromNumber, parseIpv4, parseIpv4Cidr, validateNetworkName } from './validate.js';

export const DEFAULT_DATA_DIR = '/var/lib/cni/networks';
const LAST_IP_PREFIX = 'last_reserved_ip.';
const LINE_BREAK = '\r\n';
/** Range set index: the in-process path handles exactly one set, the first. */
const RANGE_ID = '0';

interface Range {
  /** Address values (unsigned 32-bit). */
  network: number;
  broadcast: number;
  start: number;
  end: number;
  gateway: number;
  prefix: number;
}

export interface HostLocalConf {
  dir: string;
  ranges: Range[];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmptyArray = (v: unknown) => Array.isArray(v) && v.length > 0;

function parseRange(r: unknown): Range | undefined {
  if (!isObject(r) || typeof r.subnet !== 'string' || r.subnet.includes(':')) return undefined;
  const subnet = parseIpv4Cidr(r.subnet, 'subnet');
  if (subnet.prefix > 30) return undefined;
  const mask = subnet.prefix === 0 ? 0 : (0xffffffff << (32 - subnet.prefix)) >>> 0;
  const network = subnet.ip.value;
  if (((network & mask) >>> 0) !== network) return undefined;
  const broadcast = (network | (~mask >>> 0)) >>> 0;
  const optional = (v: unknown, fallback: number, field: string) => (v === undefined ? fallback : parseIpv4(v, field).value);
  const range = {
    network,
    broadcast,
    prefix: subnet.prefix,
    gateway: optional(r.gateway, network + 1, 'gateway'),
    start: optional(r.rangeStart, network + 1, 'rangeStart'),
    end: optional(r.rangeEnd, broadcast - 1, 'rangeEnd'),
  };
  const inSubnet = (v: number) => v >= network && v <= broadcast;
  if (!inSubnet(range.start) || !inSubnet(range.end)) return undefined;
  return range;
}

const contains = (r: Range, v: number) => v >= r.start && v <= r.end;

function isNetworkName(name: unknown): name is string {
  try {
    validateNetworkName(name, 'name');
    return true;
  } catch {
    return false;
  }
}

/**
 * The config as host-local reads it, when this module handles it the same
 * way; undefined sends the call to the real plugin.
 */
export function parseHostLocalConf(config: Json, cniArgs: string): HostLocalConf | undefined {
  const ipam = config.ipam;
  // The name is a directory under dataDir: only the CNI grammar's names.
  if (!isObject(ipam) || ipam.type !== 'host-local' || !isNetworkName(config.name)) return undefined;
  // Requested addresses and DNS from a resolv.conf: the real plugin's job.
  if (cniArgs.split(';').some((kv) => kv !== '' && (!kv.includes('=') || kv.split('=')[0] === 'IP'))) return undefined;
  if (isObject(config.args) && isObject(config.args.cni) && nonEmptyArray(config.args.cni.ips)) return undefined;
  if (isObject(config.runtimeConfig) && (nonEmptyArray(config.runtimeConfig.ips) || nonEmptyArray(config.runtimeConfig.ipRanges))) return undefined;
  if (ipam.resolvConf !== undefined && ipam.resolvConf !== '') return undefined;
  // The helper takes the lock path as one word of a line.
  if (ipam.dataDir !== undefined && (typeof ipam.dataDir !== 'string' || (ipam.dataDir !== '' && !ipam.dataDir.startsWith('/')) || /[\s\0]/.test(ipam.dataDir))) return undefined;
  const sets: unknown[] = [];
  if (typeof ipam.subnet === 'string' && ipam.subnet !== '') sets.push([{ subnet: ipam.subnet, rangeStart: ipam.rangeStart, rangeEnd: ipam.rangeEnd, gateway: ipam.gateway }]);
  if (ipam.ranges !== undefined) {
    if (!Array.isArray(ipam.ranges)) return undefined;
    sets.push(...(ipam.ranges as unknown[]));
  }
  const set = sets[0];
  if (sets.length !== 1 || !Array.isArray(set) || set.length === 0) return undefined;
  let ranges: Range[];
  try {
    const parsed = set.map(parseRange);
    if (parsed.some((r) => r === undefined)) return undefined;
    ranges = parsed as Range[];
  } catch {
    return undefined;
  }
  // host-local refuses overlapping ranges in a set: let it say so.
  for (let i = 0; i < ranges.length; i++) {
    for (let j = i + 1; j < ranges.length; j++) {
      const a = ranges[i]!;
      const b = ranges[j]!;
      if (contains(a, b.start) || contains(a, b.end) || contains(b, a.start) || contains(b, a.end)) return undefined;
    }
  }
  const dataDir = typeof ipam.dataDir === 'string' && ipam.dataDir !== '' ? ipam.dataDir : DEFAULT_DATA_DIR;
  return { dir: join(dataDir, config.name), ranges };
}

/** Every lease file of the network with its trimmed content (the lock and last_reserved_ip files hold no id). */
function leases(dir: string): { name: string; owner: string }[] {
  const out: { name: string; owner: string }[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    try {
      out.push({ name: entry.name, owner: readFileSync(join(dir, entry.name), 'utf8').trim() });
    } catch {
      // Removed between readdir and read: host-local ignores these too.
    }
  }
  return out;
}

function ownedBy(id: string, ifName: string): (owner: string) => boolean {
  const key = `${id.trim()}${LINE_BREAK}${ifName}`;
  return (owner) => owner === key;
}

function addressValue(name: string): number | undefined {
  try {
    return parseIpv4(name, 'lease').value;
  } catch {
    return undefined;
  }
}

/** host-local's RangeIter: from last reserved + 1 (or the first range's start), gateways skipped, one lap. */
function* candidates(ranges: Range[], last: number | undefined): Generator<{ value: number; range: Range }> {
  let index = last === undefined ? -1 : ranges.findIndex((r) => contains(r, last));
  let cur: number | undefined;
  let startAt: number | undefined;
  if (index < 0) {
    index = 0;
  } else {
    cur = last;
  }
  for (;;) {
    let r = ranges[index]!;
    if (cur === undefined) {
      cur = r.start;
      startAt = cur;
    } else {
      if (cur === r.end) {
        index = (index + 1) % ranges.length;
        r = ranges[index]!;
        cur = r.start;
      } else {
        cur += 1;
      }
      if (startAt === undefined) startAt = cur;
      else if (cur === startAt) return;
    }
    if (cur !== r.gateway) yield { value: cur, range: r };
  }
}

function rangeSetText(ranges: Range[]): string {
  return ranges.map((r) => `${ipv4FromNumber(r.start)}-${ipv4FromNumber(r.end)}`).join(',');
}

interface Job {
  run(): unknown;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

function asIpamError(err: unknown, command: string): CniError {
  if (err instanceof CniError) return err;
  return new CniError(CniCode.ipamFailed, `ipam host-local ${command} failed: ${(err as Error).message}`, '', { cause: err });
}

export class InProcessHostLocal implements Ipam {
  // One lock hold at a time in this process (the helper holds one flock), and
  // calls for a network that arrive while one is pending share its next hold:
  // under a burst of ADDs the lock's round trips are paid per batch, not per call.
  private queue: Promise<unknown> = Promise.resolve();
  private readonly waiting = new Map<string, Job[]>();

  constructor(
    private readonly fileLock: FileLock,
    private readonly delegate: Ipam,
  ) {}

  findPlugin(type: string, path: readonly string[]): string {
    // The fallback plugin needs the binary: requiring it here too keeps both paths' answers the same.
    return this.delegate.findPlugin(type, path);
  }

  /** Errors that are not already CNI errors (the file system, the helper) come back as IPAM failures. */
  private locked<T>(conf: HostLocalConf, command: string, fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const job: Job = { run: fn, resolve: resolve as (v: unknown) => void, reject: (err) => reject(asIpamError(err, command)) };
      const jobs = this.waiting.get(conf.dir);
      if (jobs) return void jobs.push(job);
      this.waiting.set(conf.dir, [job]);
      this.queue = this.queue.then(() => this.hold(conf.dir));
    });
  }

  private async hold(dir: string): Promise<void> {
    const jobs = this.waiting.get(dir) ?? [];
    this.waiting.delete(dir);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o755 });
      await this.fileLock.lock(join(dir, 'lock'));
    } catch (err) {
      for (const job of jobs) job.reject(err);
      return;
    }
    try {
      for (const job of jobs) {
        try {
          job.resolve(job.run());
        } catch (err) {
          job.reject(err);
        }
      }
    } finally {
      // A failed unlock means the helper is gone, and the flock with it.
      await this.fileLock.unlock().catch(() => undefined);
    }
  }

  private conf(req: Omit<IpamRequest, 'command'>): HostLocalConf | undefined {
    return req.pluginType === 'host-local' ? parseHostLocalConf(req.config, req.args) : undefined;
  }

  async add(req: Omit<IpamRequest, 'command'>): Promise<IpamAllocation> {
    const conf = this.conf(req);
    if (!conf) return this.delegate.add(req);
    return this.locked(conf, 'ADD', () => allocate(conf, req.containerId, req.ifName));
  }

  async del(req: Omit<IpamRequest, 'command'>): Promise<void> {
    const conf = this.conf(req);
    if (!conf) return this.delegate.del(req);
    await this.locked(conf, 'DEL', () => release(conf, req.containerId, req.ifName));
  }

  async check(req: Omit<IpamRequest, 'command'>): Promise<void> {
    const conf = this.conf(req);
    if (!conf) return this.delegate.check(req);
    const found = await this.locked(conf, 'CHECK', () => {
      const list = leases(conf.dir);
      const mine = ownedBy(req.containerId, req.ifName);
      return list.some((l) => mine(l.owner)) || list.some((l) => l.owner === req.containerId.trim());
    });
    if (!found) throw new CniError(CniCode.ipamFailed, `ipam host-local CHECK: host-local: Failed to find address added by container ${req.containerId}`);
  }
}

function allocate(conf: HostLocalConf, containerId: string, ifName: string): IpamAllocation {
  const mine = ownedBy(containerId, ifName);
  for (const lease of leases(conf.dir)) {
    if (!mine(lease.owner) && lease.owner !== containerId.trim()) continue;
    const value = addressValue(lease.name);
    if (value !== undefined && conf.ranges.some((r) => contains(r, value))) {
      throw new CniError(CniCode.ipamFailed, `ipam host-local ADD: failed to allocate for range 0: ${lease.name} has been allocated to ${containerId}, duplicate allocation is not allowed`);
    }
  }
  let last: number | undefined;
  try {
    last = addressValue(readFileSync(join(conf.dir, LAST_IP_PREFIX + RANGE_ID), 'utf8').trim());
  } catch {
    // No round-robin position yet: start at the first range's start, as host-local does.
  }
  if (last !== undefined && !conf.ranges.some((r) => contains(r, last!))) last = undefined;
  for (const { value, range } of candidates(conf.ranges, last)) {
    const ip = ipv4FromNumber(value);
    if (!reserve(conf.dir, ip, `${containerId.trim()}${LINE_BREAK}${ifName}`)) continue;
    const address = parseIpv4Cidr(`${ip}/${range.prefix}`, 'address');
    return { address, gateway: parseIpv4(ipv4FromNumber(range.gateway), 'gateway') };
  }
  throw new CniError(CniCode.ipamFailed, `ipam host-local ADD: failed to allocate for range 0: no IP addresses available in range set: ${rangeSetText(conf.ranges)}`);
}

/** host-local's Store.Reserve: false when the address is taken. */
function reserve(dir: string, ip: string, owner: string): boolean {
  const file = join(dir, ip);
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, owner);
    closeSync(fd);
  } catch (err) {
    unlinkSync(file);
    throw err;
  }
  writeFileSync(join(dir, LAST_IP_PREFIX + RANGE_ID), ip, { mode: 0o600 });
  return true;
}

/** host-local's ReleaseByID: idempotent, every matching lease goes. */
function release(conf: HostLocalConf, containerId: string, ifName: string): void {
  const list = leases(conf.dir);
  const mine = ownedBy(containerId, ifName);
  const remove = (match: (owner: string) => boolean) => {
    let found = false;
    for (const lease of list) {
      if (!match(lease.owner)) continue;
      try {
        unlinkSync(join(conf.dir, lease.name));
        found = true;
      } catch {
        // Gone already: nothing to release.
      }
    }
    return found;
  };
  if (!remove(mine)) remove((owner) => owner === containerId.trim());
}
