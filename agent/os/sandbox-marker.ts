// The sandbox boot marker (see sandbox-boot.ts): which deployment a sandbox
// sysroot "runs". Read by the ostree backend, written by bootDefaultDeployment().
//
// <sysroot>/.hostpilot-sandbox-booted:
//   { "osname": "testos", "checksum": "<64 hex>", "serial": 0,
//     "bootId": "<uuid, new at every boot>", "bootedAt": "<ISO time>", "bootCount": 3 }
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../common/fs.js';
import { join } from 'node:path';
import { OsOutputError } from './errors.js';

export const SANDBOX_MARKER = '.hostpilot-sandbox-booted';

export interface SandboxBootMarker {
  osname: string;
  checksum: string;
  serial: number;
  /** Changes at every sandbox boot, like /proc/sys/kernel/random/boot_id. */
  bootId: string;
  bootedAt: string;
  bootCount: number;
}

export function sandboxMarkerPath(sysroot: string): string {
  return join(sysroot, SANDBOX_MARKER);
}

/** The marker, or null when the sysroot has none (it is not a sandbox, or was never booted). */
export async function readSandboxMarker(sysroot: string): Promise<SandboxBootMarker | null> {
  const path = sandboxMarkerPath(sysroot);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new OsOutputError(path, 'not JSON');
  }
  const m = doc as Partial<SandboxBootMarker> | null;
  if (
    !m ||
    typeof m.osname !== 'string' ||
    typeof m.checksum !== 'string' ||
    !/^[0-9a-f]{64}$/.test(m.checksum) ||
    typeof m.serial !== 'number' ||
    !Number.isInteger(m.serial) ||
    m.serial < 0
  ) {
    throw new OsOutputError(path, 'expected { osname, checksum (64 hex), serial }');
  }
  return {
    osname: m.osname,
    checksum: m.checksum,
    serial: m.serial,
    bootId: typeof m.bootId === 'string' ? m.bootId : '',
    bootedAt: typeof m.bootedAt === 'string' ? m.bootedAt : '',
    bootCount: typeof m.bootCount === 'number' ? m.bootCount : 0,
  };
}

/** Written atomically (common/fs.ts), so a reader never sees half a marker. */
export async function writeSandboxMarker(sysroot: string, marker: SandboxBootMarker): Promise<void> {
  await writeFileAtomic(sandboxMarkerPath(sysroot), JSON.stringify(marker, null, 2) + '\n', { mode: 0o644 });
}

/** `<osname>-<checksum>.<serial>` → its parts. */
export function parseDeploymentId(id: string): { osname: string; checksum: string; serial: number } {
  const m = /^(.+)-([0-9a-f]{64})\.(\d+)$/.exec(id);
  if (!m) throw new OsOutputError('deployment id', JSON.stringify(id));
  return { osname: m[1]!, checksum: m[2]!, serial: Number(m[3]) };
}

