// The pure core of storage apply: desired config + observed host → the
// ordered lvm commands (and file writes) that converge the host, each with
// the reason it is needed. Refuses, changing nothing, whatever is unsafe:
// a device that is mounted or in use, a PV of another VG, a signature
// without wipeSignatures, a size that does not fit (saying what does).
import { FailedPreconditionError } from '../../common/errors.js';
import type { StorageConfig } from './config.js';
import type { LogicalVolume } from './lvm-report.js';
import { profileName, profilePath, renderProfile, renderRuntime } from './render.js';
import { formatBytes, formatSizeSpec } from './size.js';
import type { ObservedState } from './state.js';

export type PlanStep =
  | {
      kind: 'command';
      argv: string[];
      reason: string;
      /** The VG or pool changed shape: observe again before planning further. */
      replanAfter: boolean;
    }
  | { kind: 'writeFile'; path: string; content: string; reason: string };

export interface Plan {
  steps: PlanStep[];
  /** Things worth knowing that need no change (or cannot be changed). */
  notes: string[];
  /** True when later steps use sizes estimated before the VG exists or grows; apply re-plans with real ones. */
  estimated: boolean;
}

/** A refusal: the host is not in a state storage apply may touch. Names the config field. */
export class StorageRefusedError extends FailedPreconditionError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

const MIB = 1024 * 1024;
// LVM's defaults for a new VG/PV (lvm.conf allocation/physical_extent_size,
// devices/data_alignment): used only to estimate a VG that does not exist yet.
const DEFAULT_EXTENT = 4 * MIB;
const DEFAULT_PE_START = 1 * MIB;
const MIN_METADATA = 2 * MIB;
// Device types lsblk reports that can hold a PV.
const USABLE_TYPES = new Set(['disk', 'part', 'loop', 'mpath', 'crypt', 'raid0', 'raid1', 'raid4', 'raid5', 'raid6', 'raid10', 'md']);

interface VgView {
  extentBytes: number;
  extentCount: number;
  freeExtents: number;
}

const lvmArgs = (cmd: string, ...rest: string[]) => [cmd, ...rest];

export function planStorage(config: StorageConfig, obs: ObservedState): Plan {
  const steps: PlanStep[] = [];
  const notes: string[] = [];
  const vgName = config.volumeGroup;

  // 1. Devices → PVs of our VG.
  const newPvs: { path: string; estimatedExtents: number }[] = [];
  config.devices.forEach((configured, i) => {
    const field = `devices[${i}]`;
    const d = obs.devices.find((x) => x.configured === configured);
    // Already ours: observe does not even look at the device (lsblk, wipefs).
    if (obs.pvs.some((p) => p.name === configured && p.vgName === vgName)) return;
    if (!d || !d.block) throw new StorageRefusedError(field, `${configured} does not exist or is not a block device`);
    const blk = d.block;
    const shown = blk.path === configured ? configured : `${configured} (${blk.path})`;
    const pv = obs.pvs.find((p) => p.name === blk.path || p.name === configured);
    if (pv && pv.vgName === vgName) return;
    if (pv && pv.vgName !== undefined) {
      throw new StorageRefusedError(field, `${shown} is a physical volume of volume group ${pv.vgName}; refusing to take it (vgreduce it there first, or pick another device)`);
    }
    if (!USABLE_TYPES.has(blk.type)) throw new StorageRefusedError(field, `${shown} is a ${blk.type} device, not a disk or partition`);
    if (blk.mountpoints.length > 0) {
      throw new StorageRefusedError(field, `${shown} is in use: mounted at ${blk.mountpoints.join(', ')}; refusing to touch it`);
    }
    if (!pv && blk.holders.length > 0) {
      throw new StorageRefusedError(field, `${shown} is in use: it holds ${blk.holders.join(', ')}; refusing to touch it`);
    }
    if (!pv) {
      if (d.signatures.length > 0) {
        const sigs = d.signatures.map((s) => `${s.type} at ${s.offset}`).join(', ');
        if (!config.wipeSignatures) {
          throw new StorageRefusedError(field, `${shown} carries signature(s) ${sigs}; set wipeSignatures: true to wipe them (destroying what is on ${blk.path})`);
        }
        steps.push({ kind: 'command', argv: ['wipefs', '--all', blk.path], reason: `${shown} carries ${sigs} and wipeSignatures is true`, replanAfter: false });
      }
      steps.push({ kind: 'command', argv: lvmArgs('pvcreate', '--yes', blk.path), reason: `${shown} is listed in devices and is not a physical volume yet`, replanAfter: false });
    }
    const pvBytes = pv ? pv.sizeBytes : Math.max(0, blk.sizeBytes - DEFAULT_PE_START);
    newPvs.push({ path: blk.path, estimatedExtents: Math.floor(pvBytes / (obs.vg?.extentBytes ?? DEFAULT_EXTENT)) });
  });

  let vg: VgView;
  let estimated = false;
  if (!obs.vg) {
    if (config.devices.length === 0) throw new StorageRefusedError('devices', `volume group ${vgName} does not exist and no devices are given to create it`);
    steps.push({
      kind: 'command',
      argv: lvmArgs('vgcreate', vgName, ...newPvs.map((p) => p.path)),
      reason: `volume group ${vgName} does not exist`,
      replanAfter: true,
    });
    const count = newPvs.reduce((n, p) => n + p.estimatedExtents, 0);
    vg = { extentBytes: DEFAULT_EXTENT, extentCount: count, freeExtents: count };
    estimated = true;
  } else {
    vg = { extentBytes: obs.vg.extentBytes, extentCount: obs.vg.extentCount, freeExtents: obs.vg.freeExtents };
    if (newPvs.length > 0) {
      steps.push({
        kind: 'command',
        argv: lvmArgs('vgextend', vgName, ...newPvs.map((p) => p.path)),
        reason: `${newPvs.map((p) => p.path).join(', ')} listed in devices but not in volume group ${vgName}`,
        replanAfter: true,
      });
      const added = newPvs.reduce((n, p) => n + p.estimatedExtents, 0);
      vg = { ...vg, extentCount: vg.extentCount + added, freeExtents: vg.freeExtents + added };
      estimated = true;
    }
  }
  const ext = vg.extentBytes;
  const lvs = obs.vg ? obs.lvs : [];
  const est = estimated ? ' (sizes estimated until the volume group is updated)' : '';

  // 2. Root LV growth (before the pool, so the pool's share of free space counts it).
  if (config.rootSize !== undefined) {
    const root = lvs.find((l) => l.name === config.rootLogicalVolume && !l.hidden);
    if (!root) throw new StorageRefusedError('rootLogicalVolume', `${vgName}/${config.rootLogicalVolume} does not exist; rootSize needs the root LV in volumeGroup`);
    if (root.sizeBytes < config.rootSize) {
      const need = Math.ceil((config.rootSize - root.sizeBytes) / ext);
      if (need > vg.freeExtents) {
        throw new StorageRefusedError(
          'rootSize',
          `${formatBytes(config.rootSize)} does not fit: ${vgName}/${config.rootLogicalVolume} is ${formatBytes(root.sizeBytes)} and ${vgName} has ${formatBytes(vg.freeExtents * ext)} free, so at most ${formatBytes(root.sizeBytes + vg.freeExtents * ext)} fits`,
        );
      }
      steps.push({
        kind: 'command',
        argv: lvmArgs('lvextend', '--resizefs', '--size', `${config.rootSize}b`, `${vgName}/${config.rootLogicalVolume}`),
        reason: `rootSize ${formatBytes(config.rootSize)} is larger than ${vgName}/${config.rootLogicalVolume} (${formatBytes(root.sizeBytes)})`,
        replanAfter: true,
      });
      vg = { ...vg, freeExtents: vg.freeExtents - need };
    } else if (root.sizeBytes > config.rootSize) {
      notes.push(`${vgName}/${config.rootLogicalVolume} (${formatBytes(root.sizeBytes)}) is larger than rootSize; it is never shrunk`);
    }
  }

  // 3. The auto-extend profile (the pool is created with it, so it comes first).
  const profile = profilePath(config);
  if (config.autoExtend.enabled) {
    const content = renderProfile(config);
    if (obs.files[profile] !== content) {
      steps.push({
        kind: 'writeFile',
        path: profile,
        content,
        reason: `${obs.files[profile] === undefined ? 'missing' : 'differs'}: LVM metadata profile with thin_pool_autoextend_threshold=${config.autoExtend.threshold} thin_pool_autoextend_percent=${config.autoExtend.percent}`,
      });
    }
  }

  // 4. The thin pool.
  const pool = lvs.find((l) => l.name === config.thinPool && !l.hidden);
  if (pool && pool.attr.volumeType !== 't') {
    throw new StorageRefusedError('thinPool', `${vgName}/${config.thinPool} exists and is not a thin pool (lv_attr ${pool.attr.raw}); refusing to touch it`);
  }
  const poolRef = `${vgName}/${config.thinPool}`;
  if (!pool) {
    const vgBytes = vg.extentCount * ext;
    const metaBytesWanted = config.metadataSize ?? Math.max(MIN_METADATA, Math.ceil(vgBytes / 1000));
    const metaExt = Math.ceil(metaBytesWanted / ext);
    const spare = lvs.find((l) => l.name === 'lvol0_pmspare');
    const spareExt = spare ? Math.ceil(spare.sizeBytes / ext) : 0;
    const metaNeeded = metaExt + Math.max(0, metaExt - spareExt);
    const avail = vg.freeExtents - metaNeeded;
    const fits = `${vgName} has ${formatBytes(vg.freeExtents * ext)} free${est}; after ${formatBytes(metaExt * ext)} of pool metadata and its spare copy, at most ${formatBytes(Math.max(0, avail) * ext)} fits for data`;
    if (avail <= 0) throw new StorageRefusedError('dataSize', `nothing fits: ${fits}`);
    const dataExt = config.dataSize.kind === 'percentFree' ? Math.floor((config.dataSize.percent * avail) / 100) : Math.ceil(config.dataSize.bytes / ext);
    if (dataExt > avail) throw new StorageRefusedError('dataSize', `${formatSizeSpec(config.dataSize)} does not fit: ${fits}`);
    if (dataExt * ext < config.minDataSize) {
      throw new StorageRefusedError(
        'dataSize',
        `${formatSizeSpec(config.dataSize)} gives ${formatBytes(dataExt * ext)}, below minDataSize ${formatBytes(config.minDataSize)}: ${fits}`,
      );
    }
    const argv = lvmArgs(
      'lvcreate', '--type', 'thin-pool', '--extents', String(dataExt), '--poolmetadatasize', `${metaExt * ext}b`,
      '--chunksize', `${config.chunkSize}b`, '--zero', 'n',
    );
    if (config.autoExtend.enabled) argv.push('--metadataprofile', profileName(config));
    argv.push('--yes', '--name', config.thinPool, vgName);
    steps.push({
      kind: 'command',
      argv,
      reason: `thin pool ${poolRef} does not exist: data ${formatBytes(dataExt * ext)} (dataSize ${formatSizeSpec(config.dataSize)}), metadata ${formatBytes(metaExt * ext)}${est}`,
      // The final observation after the plan checks monitoring and the profile.
      replanAfter: false,
    });
  } else {
    planExistingPool(config, pool, lvs, vg, steps, notes);
  }

  // 5. What the container runtime reads.
  const runtime = renderRuntime(config);
  if (config.runtime && runtime !== undefined && obs.files[config.runtime.path] !== runtime) {
    steps.push({
      kind: 'writeFile',
      path: config.runtime.path,
      content: runtime,
      reason: `${obs.files[config.runtime.path] === undefined ? 'missing' : 'differs'}: ${config.runtime.format} settings pointing the runtime at ${poolRef}`,
    });
  }
  return { steps, notes, estimated };
}

function planExistingPool(config: StorageConfig, pool: LogicalVolume, lvs: LogicalVolume[], vg: VgView, steps: PlanStep[], notes: string[]): void {
  const vgName = config.volumeGroup;
  const poolRef = `${vgName}/${config.thinPool}`;
  const ext = vg.extentBytes;
  if (pool.attr.problems.length > 0) notes.push(`${poolRef} reports ${pool.attr.problems.join(', ')} (lv_attr ${pool.attr.raw})`);
  if (!pool.attr.active) {
    steps.push({ kind: 'command', argv: ['lvchange', '--activate', 'y', poolRef], reason: `${poolRef} is not active`, replanAfter: true });
    return;
  }
  const profile = profileName(config);
  if (config.autoExtend.enabled && pool.profile !== profile) {
    steps.push({
      kind: 'command',
      argv: ['lvchange', '--metadataprofile', profile, poolRef],
      reason: `${poolRef} has ${pool.profile ? `profile ${pool.profile}` : 'no metadata profile'}; auto-extend needs ${profile}`,
      replanAfter: false,
    });
  } else if (!config.autoExtend.enabled && pool.profile === profile) {
    steps.push({ kind: 'command', argv: ['lvchange', '--detachprofile', poolRef], reason: 'autoExtend.enabled is false', replanAfter: false });
  }
  if (config.autoExtend.enabled && pool.monitor !== 'monitored') {
    steps.push({
      kind: 'command',
      argv: ['lvchange', '--monitor', 'y', poolRef],
      reason: `${poolRef} is ${pool.monitor ?? 'not monitored'}; dmeventd must monitor it to auto-extend`,
      replanAfter: false,
    });
  }
  if (pool.chunkSizeBytes !== undefined && pool.chunkSizeBytes !== config.chunkSize) {
    notes.push(`${poolRef} has chunk size ${formatBytes(pool.chunkSizeBytes)}, not chunkSize ${formatBytes(config.chunkSize)}; a pool's chunk size cannot change`);
  }

  const poolExt = Math.ceil(pool.sizeBytes / ext);
  const meta = lvs.find((l) => l.hidden && l.name === `${config.thinPool}_tmeta`);
  const metaExt = meta ? Math.ceil(meta.sizeBytes / ext) : Math.ceil((pool.metadataSizeBytes ?? 0) / ext);
  const spare = lvs.find((l) => l.name === 'lvol0_pmspare');
  const spareExt = spare ? Math.ceil(spare.sizeBytes / ext) : 0;
  let grew = false;
  if (config.growPool) {
    const others = vg.extentCount - vg.freeExtents - poolExt - metaExt - spareExt;
    const base = vg.extentCount - others - 2 * metaExt;
    const target = config.dataSize.kind === 'percentFree' ? Math.floor((config.dataSize.percent * base) / 100) : Math.ceil(config.dataSize.bytes / ext);
    if (target > poolExt) {
      const grow = target - poolExt;
      if (grow > vg.freeExtents) {
        throw new StorageRefusedError(
          'dataSize',
          `${formatSizeSpec(config.dataSize)} does not fit: ${poolRef} has ${formatBytes(pool.sizeBytes)} and ${vgName} ${formatBytes(vg.freeExtents * ext)} free, so at most ${formatBytes(pool.sizeBytes + vg.freeExtents * ext)} fits`,
        );
      }
      steps.push({
        kind: 'command',
        argv: ['lvextend', '--extents', `+${grow}`, poolRef],
        reason: `${poolRef} has ${formatBytes(pool.sizeBytes)}; dataSize ${formatSizeSpec(config.dataSize)} of ${vgName} asks for ${formatBytes(target * ext)} (growPool)`,
        replanAfter: true,
      });
      grew = true;
    } else if (config.dataSize.kind === 'bytes' && poolExt > target) {
      notes.push(`${poolRef} (${formatBytes(pool.sizeBytes)}) is larger than dataSize; a pool is never shrunk`);
    }
  }

  // The agent's own extension: the same policy dmeventd applies, for when it
  // is not running or has not acted yet.
  if (!grew && config.autoExtend.enabled) {
    const t = config.autoExtend.threshold;
    const over = [
      pool.dataPercent !== undefined && pool.dataPercent >= t ? `data ${pool.dataPercent}%` : undefined,
      pool.metadataPercent !== undefined && pool.metadataPercent >= t ? `metadata ${pool.metadataPercent}%` : undefined,
    ].filter((x): x is string => x !== undefined);
    if (over.length > 0) {
      const need = Math.ceil((poolExt * config.autoExtend.percent) / 100);
      if (vg.freeExtents >= need) {
        steps.push({
          kind: 'command',
          argv: ['lvextend', '--use-policies', poolRef],
          reason: `${over.join(' and ')} at or above autoExtend.threshold ${t}%: extend by ${config.autoExtend.percent}% now (${vgName} has ${formatBytes(vg.freeExtents * ext)} free)`,
          replanAfter: true,
        });
      } else {
        notes.push(`${poolRef}: ${over.join(' and ')} at or above ${t}% and ${vgName} has only ${formatBytes(vg.freeExtents * ext)} free (${config.autoExtend.percent}% needs ${formatBytes(need * ext)}): add a device`);
      }
    }
  }
}
