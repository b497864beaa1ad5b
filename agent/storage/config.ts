// The storage config: container-storage-setup's settings under camelCase
// names (DEVS → devices, VG → volumeGroup, CONTAINER_THINPOOL → thinPool,
// DATA_SIZE → dataSize, MIN_DATA_SIZE → minDataSize, POOL_META_SIZE →
// metadataSize, CHUNK_SIZE → chunkSize, ROOT_SIZE → rootSize,
// AUTO_EXTEND_POOL/POOL_AUTOEXTEND_THRESHOLD/POOL_AUTOEXTEND_PERCENT →
// autoExtend, WIPE_SIGNATURES → wipeSignatures, STORAGE_DRIVER output →
// runtime). Defaults applied, then validated once; errors name the field.
import { InvalidArgumentError } from '../../common/errors.js';
import { parseJsonFile } from '../../common/json-file.js';
import { parseBytes, parseSizeSpec, type SizeSpec } from './size.js';

export const DEFAULT_PROFILE_DIR = '/etc/lvm/profile';

export type RuntimeFormat = 'docker-storage' | 'containerd-devmapper';

export interface RuntimeOutput {
  format: RuntimeFormat;
  /** The file the runtime reads. */
  path: string;
  /** containerd only: the snapshotter's root_path. */
  rootPath: string;
  /** containerd only: base_image_size; docker: dm.basesize. */
  baseImageSize: string;
}

export interface StorageConfig {
  devices: string[];
  volumeGroup: string;
  thinPool: string;
  dataSize: SizeSpec;
  minDataSize: number;
  /** Undefined: 0.1% of the VG (container-storage-setup's default), at least 2 MiB. */
  metadataSize: number | undefined;
  chunkSize: number;
  /** Grow the root LV (and its filesystem) to this size when given; never shrinks. */
  rootSize: number | undefined;
  rootLogicalVolume: string;
  /** When the VG grows (a device added), grow the pool to keep dataSize. */
  growPool: boolean;
  autoExtend: { enabled: boolean; threshold: number; percent: number };
  wipeSignatures: boolean;
  runtime: RuntimeOutput | undefined;
  /** Where the LVM metadata profile is written (LVM's profile_dir). */
  profileDir: string;
}

// LVM's own name rules (lvm(8) "VG/LV names"): letters, digits and + _ . -,
// not starting with '-', not "." or "..", and not the reserved forms.
const LVM_NAME = /^[A-Za-z0-9+_.][A-Za-z0-9+_.-]{0,126}$/;
const RESERVED_LV = /(_cdata|_cmeta|_corig|_mimage|_mlog|_pmspare|_rimage|_rmeta|_tdata|_tmeta|_vorigin|_vdata)/;
const DEVICE = /^\/dev\/[A-Za-z0-9._:+@/-]+$/;
const FILE_PATH = /^\/[A-Za-z0-9._+@/-]+$/;

function lvmName(value: unknown, field: string, lv: boolean): string {
  if (typeof value !== 'string' || value === '') throw new InvalidArgumentError(field, 'must be a non-empty name');
  if (!LVM_NAME.test(value) || value === '.' || value === '..') {
    throw new InvalidArgumentError(field, `${JSON.stringify(value)} is not an LVM name (1-127 letters, digits, '+', '_', '.', '-', not starting with '-')`);
  }
  if (lv && (value.startsWith('snapshot') || value.startsWith('pvmove') || RESERVED_LV.test(value))) {
    throw new InvalidArgumentError(field, `${JSON.stringify(value)} uses a name LVM reserves`);
  }
  return value;
}

function absPath(value: unknown, field: string, pattern: RegExp, what: string): string {
  if (typeof value !== 'string' || !pattern.test(value) || value.split('/').some((part) => part === '..' || part === '.')) {
    throw new InvalidArgumentError(field, `${JSON.stringify(value)} is not ${what}`);
  }
  return value;
}

function int(value: unknown, field: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(field, `must be a whole number from ${min} to ${max}`);
  }
  return value;
}

function bool(value: unknown, field: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new InvalidArgumentError(field, 'must be true or false');
  return value;
}

function object(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidArgumentError(field, 'must be an object');
  return value as Record<string, unknown>;
}

function noUnknownKeys(obj: Record<string, unknown>, allowed: readonly string[], prefix: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw new InvalidArgumentError(`${prefix}${key}`, `unknown setting (known: ${allowed.join(', ')})`);
  }
}

const TOP_KEYS = [
  'devices', 'volumeGroup', 'thinPool', 'dataSize', 'minDataSize', 'metadataSize', 'chunkSize', 'rootSize',
  'rootLogicalVolume', 'growPool', 'autoExtend', 'wipeSignatures', 'runtime', 'profileDir',
] as const;

export function parseStorageConfig(input: unknown): StorageConfig {
  const raw = object(input, 'config');
  noUnknownKeys(raw, TOP_KEYS, '');

  if (!Array.isArray(raw.devices)) throw new InvalidArgumentError('devices', 'must be a list of block devices, e.g. ["/dev/vdb"]');
  const devices = raw.devices.map((d, i) => absPath(d, `devices[${i}]`, DEVICE, 'a block device path under /dev'));
  const dup = devices.find((d, i) => devices.indexOf(d) !== i);
  if (dup) throw new InvalidArgumentError('devices', `${dup} is listed twice`);

  const volumeGroup = lvmName(raw.volumeGroup ?? 'hostpilot', 'volumeGroup', false);
  const thinPool = lvmName(raw.thinPool ?? 'container-thinpool', 'thinPool', true);
  const dataSize = parseSizeSpec(raw.dataSize ?? '40%FREE', 'dataSize');
  const minDataSize = parseBytes(raw.minDataSize ?? '2G', 'minDataSize');
  const metadataSize = raw.metadataSize === undefined ? undefined : parseBytes(raw.metadataSize, 'metadataSize');
  if (metadataSize !== undefined && (metadataSize < 2 * 1024 ** 2 || metadataSize > 16 * 1024 ** 3)) {
    throw new InvalidArgumentError('metadataSize', 'must be from 2M to 16G (LVM thin pool metadata limits)');
  }
  const chunkSize = parseBytes(raw.chunkSize ?? '512K', 'chunkSize');
  // dm-thin: a multiple of 64 KiB from 64 KiB to 1 GiB.
  if (chunkSize % (64 * 1024) !== 0 || chunkSize < 64 * 1024 || chunkSize > 1024 ** 3) {
    throw new InvalidArgumentError('chunkSize', 'must be a multiple of 64K from 64K to 1G');
  }
  const rootSize = raw.rootSize === undefined ? undefined : parseBytes(raw.rootSize, 'rootSize');
  const rootLogicalVolume = lvmName(raw.rootLogicalVolume ?? 'root', 'rootLogicalVolume', true);
  if (rootLogicalVolume === thinPool) throw new InvalidArgumentError('rootLogicalVolume', 'must differ from thinPool');
  const growPool = bool(raw.growPool, 'growPool', true);

  const ae = raw.autoExtend === undefined ? {} : object(raw.autoExtend, 'autoExtend');
  noUnknownKeys(ae, ['enabled', 'threshold', 'percent'], 'autoExtend.');
  // LVM treats a threshold below 50 as 50 and 100 as "never": accept what LVM honours.
  const autoExtend = {
    enabled: bool(ae.enabled, 'autoExtend.enabled', true),
    threshold: int(ae.threshold, 'autoExtend.threshold', 50, 99, 60),
    percent: int(ae.percent, 'autoExtend.percent', 1, 1000, 20),
  };

  const wipeSignatures = bool(raw.wipeSignatures, 'wipeSignatures', false);
  const profileDir = absPath(raw.profileDir ?? DEFAULT_PROFILE_DIR, 'profileDir', FILE_PATH, 'an absolute directory path');

  let runtime: RuntimeOutput | undefined;
  if (raw.runtime !== undefined) {
    const rt = object(raw.runtime, 'runtime');
    noUnknownKeys(rt, ['format', 'path', 'rootPath', 'baseImageSize'], 'runtime.');
    const format = rt.format ?? 'containerd-devmapper';
    if (format !== 'docker-storage' && format !== 'containerd-devmapper') {
      throw new InvalidArgumentError('runtime.format', 'must be "containerd-devmapper" or "docker-storage"');
    }
    const defaultPath = format === 'docker-storage' ? '/etc/sysconfig/docker-storage' : '/etc/containerd/conf.d/hostpilot-devmapper.toml';
    const baseImageSize = rt.baseImageSize ?? '10G';
    parseBytes(baseImageSize, 'runtime.baseImageSize');
    runtime = {
      format,
      path: absPath(rt.path ?? defaultPath, 'runtime.path', FILE_PATH, 'an absolute file path'),
      rootPath: absPath(rt.rootPath ?? '/var/lib/containerd/io.containerd.snapshotter.v1.devmapper', 'runtime.rootPath', FILE_PATH, 'an absolute directory path'),
      baseImageSize: baseImageSize as string,
    };
  }

  return {
    devices, volumeGroup, thinPool, dataSize, minDataSize, metadataSize, chunkSize, rootSize, rootLogicalVolume,
    growPool, autoExtend, wipeSignatures, runtime, profileDir,
  };
}

/** Parses the JSON text of a config file; `source` names the file in every error. */
export function parseStorageConfigText(text: string, source: string): StorageConfig {
  return parseJsonFile(source, text, parseStorageConfig);
}
