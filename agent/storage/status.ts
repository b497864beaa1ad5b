// The thin pool as an operator sees it: size, data/metadata use, health from
// lv_attr, monitoring and profile, the VG's free space. Pure, from lvm reports.
import type { StorageConfig } from './config.js';
import type { LogicalVolume, LvProblem, PhysicalVolume, VolumeGroup } from './lvm-report.js';

export interface PoolStatus {
  volumeGroup: string;
  thinPool: string;
  vgExists: boolean;
  poolExists: boolean;
  vgSizeBytes?: number;
  vgFreeBytes?: number;
  physicalVolumes: string[];
  pool?: {
    attr: string;
    active: boolean;
    sizeBytes: number;
    /** 0-100; undefined when LVM reports N/A (e.g. the pool is inactive). */
    dataPercent: number | undefined;
    metadataPercent: number | undefined;
    metadataSizeBytes: number | undefined;
    chunkSizeBytes: number | undefined;
    profile: string | undefined;
    monitor: string | undefined;
    whenFull: string | undefined;
    healthStatus: string | undefined;
    problems: LvProblem[];
    thinVolumes: number;
  };
}

export function poolStatus(config: StorageConfig, pvs: PhysicalVolume[], vg: VolumeGroup | undefined, lvs: LogicalVolume[]): PoolStatus {
  const base = {
    volumeGroup: config.volumeGroup,
    thinPool: config.thinPool,
    vgExists: vg !== undefined,
    physicalVolumes: pvs.filter((p) => p.vgName === config.volumeGroup).map((p) => p.name),
  };
  const pool = lvs.find((l) => l.name === config.thinPool && !l.hidden && l.attr.volumeType === 't');
  if (!vg) return { ...base, poolExists: false };
  const out: PoolStatus = { ...base, poolExists: pool !== undefined, vgSizeBytes: vg.sizeBytes, vgFreeBytes: vg.freeBytes };
  if (pool) {
    out.pool = {
      attr: pool.attr.raw,
      active: pool.attr.active,
      sizeBytes: pool.sizeBytes,
      dataPercent: pool.dataPercent,
      metadataPercent: pool.metadataPercent,
      metadataSizeBytes: pool.metadataSizeBytes,
      chunkSizeBytes: pool.chunkSizeBytes,
      profile: pool.profile,
      monitor: pool.monitor,
      whenFull: pool.whenFull,
      healthStatus: pool.healthStatus,
      problems: pool.attr.problems,
      thinVolumes: lvs.filter((l) => l.poolLv === config.thinPool && l.attr.volumeType === 'V').length,
    };
  }
  return out;
}
