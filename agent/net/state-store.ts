// What ADD set up for each pod, one JSON file per pod under
// <stateDir>/pods/. DEL and CHECK read it; the agent's reconciler treats the
// set of records as the desired state of the host.
//
// The record is written *before* the veth is created (phase "adding"), so a
// veth that has no record is never a pod still being added: the reconciler
// may remove it.
import { readdir, readFile, rm } from 'node:fs/promises';
import { writeFileAtomic } from '../../common/fs.js';
import { join } from 'node:path';
import { parseMode, type PodNetworkMode } from './routing-config.js';
import { parseIpv4, parseIpv4Cidr, validateAbsolutePath, validateContainerId, validateIfName, validatePluginType, validateVethPrefix } from './validate.js';

export const RECORD_VERSION = 1;

export interface PodRecord {
  version: typeof RECORD_VERSION;
  /** "adding" until ADD finished; "deleting" from the start of DEL: the reconciler leaves both alone. */
  phase: 'adding' | 'ready' | 'deleting';
  network: string;
  containerId: string;
  ifName: string;
  netns: string;
  hostVeth: string;
  hostVethPrefix: string;
  /** "10.10.0.12/22"; empty until IPAM answered. */
  address: string;
  gateway: string;
  /** Empty in routed mode. */
  uplink: string;
  mtu: number;
  /** Absent in records from before routed mode: proxy-arp. */
  mode?: PodNetworkMode;
  /** For releasing the address when the reconciler finds the pod gone. */
  ipamType: string;
  cniPath: string[];
  config: Record<string, unknown>;
  updatedAt: string;
}

export function recordFileName(containerId: string, ifName: string): string {
  // Container ids never hold '@', so the split is unambiguous.
  return `${containerId}@${ifName}.json`;
}

export class PodStateStore {
  readonly dir: string;

  constructor(stateDir: string) {
    this.dir = join(stateDir, 'pods');
  }

  async write(record: PodRecord): Promise<void> {
    const file = join(this.dir, recordFileName(record.containerId, record.ifName));
    await writeFileAtomic(file, JSON.stringify(record, null, 2) + '\n', { mode: 0o600, dirMode: 0o700 });
  }

  async read(containerId: string, ifName: string): Promise<PodRecord | undefined> {
    try {
      return parseRecord(await readFile(join(this.dir, recordFileName(containerId, ifName)), 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async remove(containerId: string, ifName: string): Promise<void> {
    await rm(join(this.dir, recordFileName(containerId, ifName)), { force: true });
  }

  /** Every record; unreadable files are reported, not fatal. */
  async list(): Promise<{ records: PodRecord[]; errors: string[] }> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], errors: [] };
      throw err;
    }
    const records: PodRecord[] = [];
    const errors: string[] = [];
    for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
      try {
        records.push(parseRecord(await readFile(join(this.dir, name), 'utf8')));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        errors.push(`${name}: ${(err as Error).message}`);
      }
    }
    return { records, errors };
  }
}

function parseRecord(text: string): PodRecord {
  const o = JSON.parse(text) as Partial<PodRecord>;
  if (o.version !== RECORD_VERSION) throw new Error(`unknown record version ${JSON.stringify(o.version)}`);
  for (const key of ['network', 'containerId', 'ifName', 'netns', 'hostVeth', 'address', 'gateway', 'uplink', 'ipamType'] as const) {
    if (typeof o[key] !== 'string') throw new Error(`record field ${key} is missing`);
  }
  if (o.phase !== 'adding' && o.phase !== 'ready' && o.phase !== 'deleting') throw new Error(`record phase ${JSON.stringify(o.phase)} is unknown`);
  // Records feed commands: validate them as strictly as the CNI input they came from.
  validateContainerId(o.containerId, 'containerId');
  validateIfName(o.ifName, 'ifName');
  validateIfName(o.hostVeth, 'hostVeth');
  validateVethPrefix(o.hostVethPrefix, 'hostVethPrefix');
  if (o.mode !== undefined) parseMode(o.mode, 'mode');
  if (o.uplink !== '' || o.mode !== 'routed') validateIfName(o.uplink, 'uplink');
  validateAbsolutePath(o.netns, 'netns');
  validatePluginType(o.ipamType, 'ipamType');
  if (o.address !== '') parseIpv4Cidr(o.address, 'address');
  parseIpv4(o.gateway, 'gateway');
  if (!Array.isArray(o.cniPath) || !o.cniPath.every((p) => typeof p === 'string')) throw new Error('record field cniPath is missing');
  o.cniPath.forEach((p, i) => validateAbsolutePath(p, `cniPath[${i}]`));
  if (typeof o.config !== 'object' || o.config === null) throw new Error('record field config is missing');
  if (typeof o.mtu !== 'number') throw new Error('record field mtu is missing');
  return o as PodRecord;
}
