// Loads the captured lvm / lsblk / wipefs outputs (test/fixtures/lvm/SOURCES.md)
// and assembles observed states from them for the planner tests.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseStorageConfig, type StorageConfig } from '../../agent/storage/config.js';
import { parseLsblk, parseWipefs } from '../../agent/storage/devices.js';
import { parseLvs, parsePvs, parseVgs } from '../../agent/storage/lvm-report.js';
import { profilePath, renderProfile, renderRuntime } from '../../agent/storage/render.js';
import type { ObservedDevice, ObservedState } from '../../agent/storage/state.js';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/lvm');

export function fixture(name: string): string {
  return readFileSync(join(DIR, name), 'utf8');
}

/** The config the fixtures were captured with (SOURCES.md), as the JSON file holds it. */
export const VM_CONFIG = {
  devices: ['/dev/vda'],
  volumeGroup: 'hpvg',
  thinPool: 'pool',
  dataSize: '40%FREE',
  minDataSize: '32M',
  autoExtend: { threshold: 60, percent: 50 },
  runtime: { format: 'containerd-devmapper', path: '/etc/containerd/conf.d/hostpilot-devmapper.toml' },
};

export function vmConfig(extra: Record<string, unknown> = {}): StorageConfig {
  return parseStorageConfig({ ...VM_CONFIG, ...extra });
}

export function device(configured: string, lsblk: string, wipefs: string): ObservedDevice {
  return { configured, block: parseLsblk(fixture(lsblk), configured), signatures: parseWipefs(fixture(wipefs)) };
}

/** A blank 256 MiB disk at `path` (the VM's blank vda, renamed). */
export function blankDevice(path: string): ObservedDevice {
  const d = device('/dev/vda', 'lsblk-blank-vda.json', 'wipefs-blank-vda.json');
  return { configured: path, block: { ...d.block!, path }, signatures: [] };
}

/** Files as apply leaves them for `config`. */
export function filesFor(config: StorageConfig): Record<string, string | undefined> {
  const files: Record<string, string | undefined> = { [profilePath(config)]: renderProfile(config) };
  if (config.runtime) files[config.runtime.path] = renderRuntime(config);
  return files;
}

export function state(prefix: 'blank' | 'created' | 'nearly-full' | 'critical' | 'extended', config: StorageConfig, lvsName?: string): ObservedState {
  const pvsFile = prefix === 'blank' ? 'blank-pvs.json' : 'created-pvs.json';
  const vgsFile = `${prefix}-vgs.json`;
  const vg = parseVgs(fixture(vgsFile)).find((v) => v.name === config.volumeGroup);
  return {
    pvs: parsePvs(fixture(pvsFile)),
    vg,
    lvs: vg ? parseLvs(fixture(lvsName ?? `${prefix}-lvs.json`)) : [],
    devices: [prefix === 'blank' ? device('/dev/vda', 'lsblk-blank-vda.json', 'wipefs-blank-vda.json') : device('/dev/vda', 'lsblk-pv-vda.json', 'wipefs-lvm2-member.json')],
    files: prefix === 'blank' ? {} : filesFor(config),
  };
}
