// The read side of storage: runs only read-only commands (pvs, vgs, lvs,
// lsblk, wipefs --no-act) through the injected runner and returns plain data.
import { CommandError, type CommandRunner } from '../../common/exec/runner.js';
import type { StorageConfig } from './config.js';
import { lsblkArgv, parseLsblk, parseWipefs, wipefsArgv } from './devices.js';
import type { StorageFiles } from './files.js';
import { parseLvs, parsePvs, parseVgs, reportArgv } from './lvm-report.js';
import { profilePath } from './render.js';
import type { ObservedDevice, ObservedState } from './state.js';
import { poolStatus, type PoolStatus } from './status.js';

// LVM warns on stderr about every inherited descriptor (node holds several).
export const LVM_ENV = { LVM_SUPPRESS_FD_WARNINGS: '1' };
// Under emulation (the test VM) or on a busy host, an lvm call can take a while.
export const LVM_TIMEOUT_MS = 300_000;

export async function runLvm(runner: CommandRunner, argv: string[]): Promise<string> {
  const res = await runner.run({ argv, env: LVM_ENV, timeoutMs: LVM_TIMEOUT_MS });
  return res.stdout;
}

export async function observeLvm(runner: CommandRunner, vgName: string): Promise<Pick<ObservedState, 'pvs' | 'vg' | 'lvs'>> {
  const pvs = parsePvs(await runLvm(runner, reportArgv('pvs')));
  // All VGs, then pick ours: `vgs NAME` fails when NAME does not exist.
  const vg = parseVgs(await runLvm(runner, reportArgv('vgs'))).find((v) => v.name === vgName);
  const lvs = vg ? parseLvs(await runLvm(runner, reportArgv('lvs', vgName))) : [];
  return { pvs, vg, lvs };
}

async function observeDevice(runner: CommandRunner, configured: string): Promise<ObservedDevice> {
  let block;
  try {
    block = parseLsblk((await runner.run({ argv: lsblkArgv(configured), timeoutMs: 30_000 })).stdout, configured);
  } catch (err) {
    // lsblk exits non-zero for a path that is not a block device.
    if (err instanceof CommandError && err.failure === 'exit') return { configured, block: undefined, signatures: [] };
    throw err;
  }
  // A device in use is refused anyway, and probing it may fail (an exclusively opened root disk).
  if (block.mountpoints.length > 0 || block.holders.length > 0) return { configured, block, signatures: [] };
  const signatures = parseWipefs((await runner.run({ argv: wipefsArgv(block.path), timeoutMs: 30_000 })).stdout);
  return { configured, block, signatures };
}

export async function observeStorage(runner: CommandRunner, files: StorageFiles, config: StorageConfig): Promise<ObservedState> {
  const lvm = await observeLvm(runner, config.volumeGroup);
  const devices: ObservedDevice[] = [];
  for (const d of config.devices) {
    // A PV of our VG needs no safety checks; skipping them saves two commands a round.
    if (lvm.pvs.some((p) => p.name === d && p.vgName === config.volumeGroup)) continue;
    devices.push(await observeDevice(runner, d));
  }
  const paths = [profilePath(config), ...(config.runtime ? [config.runtime.path] : [])];
  const fileState: Record<string, string | undefined> = {};
  for (const p of paths) fileState[p] = files.read(p);
  return { ...lvm, devices, files: fileState };
}

/** The pool as `storage status` and the watch show it. */
export async function readPoolStatus(runner: CommandRunner, config: StorageConfig): Promise<PoolStatus> {
  const { pvs, vg, lvs } = await observeLvm(runner, config.volumeGroup);
  return poolStatus(config, pvs, vg, lvs);
}
