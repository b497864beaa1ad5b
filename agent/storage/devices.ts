// What the planner needs to know about a candidate disk before it becomes a
// PV: does it exist, is it (or anything on it) mounted or in use, and which
// signatures it carries. From `lsblk --json` and `wipefs --json --no-act`
// (both read-only).
import { FailedPreconditionError } from '../../common/errors.js';

export const LSBLK_COLUMNS = 'PATH,TYPE,SIZE,FSTYPE,MOUNTPOINTS';

export function lsblkArgv(device: string): string[] {
  return ['lsblk', '--json', '--bytes', '-o', LSBLK_COLUMNS, device];
}

export function wipefsArgv(device: string): string[] {
  return ['wipefs', '--json', '--no-act', device];
}

export interface BlockDevice {
  /** The kernel's name for it (lsblk PATH), e.g. /dev/vdb for /dev/disk/by-id/…. */
  path: string;
  type: string;
  sizeBytes: number;
  fstype: string | undefined;
  /** Mount points of the device and everything on it ("[SWAP]" for swap). */
  mountpoints: string[];
  /** Partitions, LVs, crypt or md devices stacked on it: "PATH (TYPE)". */
  holders: string[];
}

interface LsblkNode {
  path?: unknown;
  type?: unknown;
  size?: unknown;
  fstype?: unknown;
  mountpoints?: unknown;
  children?: unknown;
}

function mountsOf(node: LsblkNode): string[] {
  const list = Array.isArray(node.mountpoints) ? node.mountpoints : [];
  return list.filter((m): m is string => typeof m === 'string' && m !== '');
}

/**
 * `requested` is the path lsblk was given. lsblk normally prints that device
 * with what sits on it as nested children; without a udev database (minimal
 * hosts, the test VM) it prints the stacked devices as sibling entries
 * instead. Either way everything but the device itself counts as a holder.
 */
export function parseLsblk(stdout: string, requested: string): BlockDevice {
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    throw new FailedPreconditionError('lsblk: output is not JSON');
  }
  const devs = (json as { blockdevices?: unknown }).blockdevices;
  if (!Array.isArray(devs) || devs.length === 0) throw new FailedPreconditionError(`lsblk: no block device in the output for ${requested}`);
  const nodes = devs as LsblkNode[];
  const top =
    nodes.find((n) => n.path === requested) ??
    (nodes.length === 1 ? nodes[0] : nodes.find((n) => typeof n.type === 'string' && ['disk', 'part', 'loop'].includes(n.type)));
  if (!top || typeof top.path !== 'string' || typeof top.type !== 'string') throw new FailedPreconditionError(`lsblk: cannot tell which entry is ${requested}`);
  const size = typeof top.size === 'number' ? top.size : Number(top.size);
  const mountpoints = mountsOf(top);
  const holders: string[] = [];
  const walk = (children: unknown) => {
    if (!Array.isArray(children)) return;
    for (const c of children as LsblkNode[]) {
      const name = `${String(c.path)} (${String(c.type)})`;
      if (!holders.includes(name)) holders.push(name);
      mountpoints.push(...mountsOf(c));
      walk(c.children);
    }
  };
  walk(top.children);
  walk(nodes.filter((n) => n !== top));
  return {
    path: top.path,
    type: top.type,
    sizeBytes: Number.isFinite(size) ? size : 0,
    fstype: typeof top.fstype === 'string' && top.fstype !== '' ? top.fstype : undefined,
    mountpoints,
    holders,
  };
}

export interface Signature {
  type: string;
  offset: string;
  usage: string | undefined;
}

export function parseWipefs(stdout: string): Signature[] {
  // wipefs prints nothing at all (not even {}) for a device without signatures on some versions.
  if (stdout.trim() === '') return [];
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    throw new FailedPreconditionError('wipefs: output is not JSON');
  }
  const sigs = (json as { signatures?: unknown }).signatures;
  if (!Array.isArray(sigs)) throw new FailedPreconditionError('wipefs: JSON has no "signatures" list');
  return sigs.map((s: Record<string, unknown>) => ({
    type: String(s.type ?? 'unknown'),
    offset: String(s.offset ?? ''),
    usage: typeof s.usage === 'string' ? s.usage : undefined,
  }));
}
