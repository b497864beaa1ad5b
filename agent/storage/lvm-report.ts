// Partial parsing of `pvs|vgs|lvs --reportformat json --units b --nosuffix -o
// FIELDS`: only the fields below, validated. LVM prints every value as a
// string and "" where a field does not apply (N/A): those become undefined.
import { FailedPreconditionError } from '../../common/errors.js';

export const PV_FIELDS = ['pv_name', 'vg_name', 'pv_size', 'pv_free', 'dev_size'] as const;
export const VG_FIELDS = ['vg_name', 'vg_size', 'vg_free', 'vg_extent_size', 'vg_extent_count', 'vg_free_count', 'pv_count'] as const;
export const LV_FIELDS = [
  'lv_name', 'vg_name', 'lv_attr', 'lv_size', 'data_percent', 'metadata_percent', 'lv_metadata_size', 'chunk_size',
  'lv_profile', 'seg_monitor', 'pool_lv', 'lv_health_status', 'lv_when_full',
] as const;

/** The argv that produces what the parsers below read. */
export function reportArgv(kind: 'pvs' | 'vgs' | 'lvs', selector?: string): string[] {
  const fields = kind === 'pvs' ? PV_FIELDS : kind === 'vgs' ? VG_FIELDS : LV_FIELDS;
  const argv = [kind, '--reportformat', 'json', '--units', 'b', '--nosuffix', '-o', fields.join(',')];
  if (kind === 'lvs') argv.push('-a');
  if (selector !== undefined) argv.push(selector);
  return argv;
}

export interface PhysicalVolume {
  name: string;
  /** undefined: an orphan PV (in no VG). */
  vgName: string | undefined;
  sizeBytes: number;
  freeBytes: number;
  devSizeBytes: number;
}

export interface VolumeGroup {
  name: string;
  sizeBytes: number;
  freeBytes: number;
  extentBytes: number;
  extentCount: number;
  freeExtents: number;
  pvCount: number;
}

export interface LogicalVolume {
  /** Without the [] LVM puts around hidden LVs. */
  name: string;
  hidden: boolean;
  vgName: string;
  attr: LvAttr;
  sizeBytes: number;
  /** Percentages 0-100; undefined when N/A (not a pool / thin LV, or inactive). */
  dataPercent: number | undefined;
  metadataPercent: number | undefined;
  metadataSizeBytes: number | undefined;
  chunkSizeBytes: number | undefined;
  profile: string | undefined;
  /** "monitored", "not monitored", "" (N/A, e.g. inactive). */
  monitor: string | undefined;
  poolLv: string | undefined;
  healthStatus: string | undefined;
  whenFull: string | undefined;
}

export interface LvAttr {
  raw: string;
  /** t = thin pool, V = thin volume, T = pool data, e = metadata or spare, - = plain. */
  volumeType: string;
  active: boolean;
  open: boolean;
  /** Problems read from the state (5th) and health (9th) characters; empty = healthy. */
  problems: LvProblem[];
}

export type LvProblem =
  | 'failed'
  | 'out_of_data_space'
  | 'metadata_read_only'
  | 'partial'
  | 'refresh_needed'
  | 'check_needed'
  | 'suspended'
  | 'unknown';

const HEALTH: Record<string, LvProblem> = { F: 'failed', D: 'out_of_data_space', M: 'metadata_read_only', p: 'partial', r: 'refresh_needed', X: 'unknown' };
const STATE: Record<string, LvProblem> = { c: 'check_needed', C: 'check_needed', s: 'suspended', X: 'unknown' };

export function parseLvAttr(raw: string): LvAttr {
  if (raw.length < 9) throw new FailedPreconditionError(`lvs: unexpected lv_attr ${JSON.stringify(raw)}`);
  const state = raw[4]!;
  const health = raw[8]!;
  const problems: LvProblem[] = [];
  const s = STATE[state];
  if (s) problems.push(s);
  const h = HEALTH[health];
  if (h && !problems.includes(h)) problems.push(h);
  if (raw[5] === 'X' && !problems.includes('unknown')) problems.push('unknown');
  return { raw, volumeType: raw[0]!, active: state === 'a' || state === 'c', open: raw[5] === 'o', problems };
}

function report(stdout: string, key: 'pv' | 'vg' | 'lv', cmd: string): Record<string, unknown>[] {
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    throw new FailedPreconditionError(`${cmd}: output is not JSON (--reportformat json needs lvm2 >= 2.02.158)`);
  }
  const reports = (json as { report?: unknown }).report;
  if (!Array.isArray(reports)) throw new FailedPreconditionError(`${cmd}: JSON has no "report" list`);
  const rows: Record<string, unknown>[] = [];
  for (const r of reports) {
    const list = (r as Record<string, unknown>)[key];
    if (!Array.isArray(list)) throw new FailedPreconditionError(`${cmd}: report has no "${key}" list`);
    for (const row of list) {
      if (typeof row !== 'object' || row === null) throw new FailedPreconditionError(`${cmd}: a ${key} row is not an object`);
      rows.push(row as Record<string, unknown>);
    }
  }
  return rows;
}

function str(row: Record<string, unknown>, field: string, cmd: string): string {
  const v = row[field];
  if (typeof v !== 'string') throw new FailedPreconditionError(`${cmd}: field ${field} missing (was it requested with -o?)`);
  return v;
}

function optStr(row: Record<string, unknown>, field: string, cmd: string): string | undefined {
  const v = str(row, field, cmd);
  return v === '' ? undefined : v;
}

function bytes(row: Record<string, unknown>, field: string, cmd: string): number {
  const v = optBytes(row, field, cmd);
  if (v === undefined) throw new FailedPreconditionError(`${cmd}: field ${field} is empty`);
  return v;
}

function optBytes(row: Record<string, unknown>, field: string, cmd: string): number | undefined {
  const v = str(row, field, cmd);
  if (v === '') return undefined;
  // --units b --nosuffix prints whole bytes; a trailing "B" means --nosuffix was forgotten.
  if (!/^\d+$/.test(v)) throw new FailedPreconditionError(`${cmd}: field ${field}=${JSON.stringify(v)} is not a byte count (use --units b --nosuffix)`);
  return Number(v);
}

function percent(row: Record<string, unknown>, field: string, cmd: string): number | undefined {
  const v = str(row, field, cmd);
  if (v === '') return undefined;
  if (!/^\d+(\.\d+)?$/.test(v)) throw new FailedPreconditionError(`${cmd}: field ${field}=${JSON.stringify(v)} is not a percentage`);
  return Number(v);
}

export function parsePvs(stdout: string): PhysicalVolume[] {
  return report(stdout, 'pv', 'pvs').map((row) => ({
    name: str(row, 'pv_name', 'pvs'),
    vgName: optStr(row, 'vg_name', 'pvs'),
    sizeBytes: bytes(row, 'pv_size', 'pvs'),
    freeBytes: bytes(row, 'pv_free', 'pvs'),
    devSizeBytes: bytes(row, 'dev_size', 'pvs'),
  }));
}

export function parseVgs(stdout: string): VolumeGroup[] {
  return report(stdout, 'vg', 'vgs').map((row) => ({
    name: str(row, 'vg_name', 'vgs'),
    sizeBytes: bytes(row, 'vg_size', 'vgs'),
    freeBytes: bytes(row, 'vg_free', 'vgs'),
    extentBytes: bytes(row, 'vg_extent_size', 'vgs'),
    extentCount: bytes(row, 'vg_extent_count', 'vgs'),
    freeExtents: bytes(row, 'vg_free_count', 'vgs'),
    pvCount: bytes(row, 'pv_count', 'vgs'),
  }));
}

export function parseLvs(stdout: string): LogicalVolume[] {
  return report(stdout, 'lv', 'lvs').map((row) => {
    const rawName = str(row, 'lv_name', 'lvs');
    const hidden = rawName.startsWith('[') && rawName.endsWith(']');
    const chunk = optBytes(row, 'chunk_size', 'lvs');
    return {
      name: hidden ? rawName.slice(1, -1) : rawName,
      hidden,
      vgName: str(row, 'vg_name', 'lvs'),
      attr: parseLvAttr(str(row, 'lv_attr', 'lvs')),
      sizeBytes: bytes(row, 'lv_size', 'lvs'),
      dataPercent: percent(row, 'data_percent', 'lvs'),
      metadataPercent: percent(row, 'metadata_percent', 'lvs'),
      metadataSizeBytes: optBytes(row, 'lv_metadata_size', 'lvs'),
      // LVM prints chunk_size 0 for LVs without chunks.
      chunkSizeBytes: chunk === 0 ? undefined : chunk,
      profile: optStr(row, 'lv_profile', 'lvs'),
      monitor: optStr(row, 'seg_monitor', 'lvs'),
      poolLv: optStr(row, 'pool_lv', 'lvs'),
      healthStatus: optStr(row, 'lv_health_status', 'lvs'),
      whenFull: optStr(row, 'lv_when_full', 'lvs'),
    };
  });
}
