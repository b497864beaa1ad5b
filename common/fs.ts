// The one way a state file is written (docs/architecture.md, "State on disk"):
// a temporary file in the same directory, written and fsynced, renamed over
// the old file, then the directory fsynced. A reader sees the old or the new
// file, never half of one, and after a power cut the new name survives too:
// without the directory fsync the rename can be lost, and a lost CNI record
// is an address handed out twice.
import * as nodeFs from 'node:fs';
import * as nodeFsp from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /** The file's mode [0o600: state is the agent's own]. */
  mode?: number;
  /** The mode of a directory created for it [0o755]. */
  dirMode?: number;
}

/** The file system calls a synchronous atomic write makes; tests inject a recorder. */
export interface SyncFs {
  mkdirSync(path: string, opts: { recursive: true; mode: number }): unknown;
  openSync(path: string, flags: string, mode?: number): number;
  writeFileSync(fd: number, data: string | Uint8Array): void;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  rmSync(path: string, opts: { force: true }): void;
}

/** The same calls, asynchronous (fs/promises). */
export interface AsyncFs {
  mkdir(path: string, opts: { recursive: true; mode: number }): Promise<unknown>;
  open(path: string, flags: string, mode?: number): Promise<Pick<nodeFsp.FileHandle, 'writeFile' | 'sync' | 'close'>>;
  rename(from: string, to: string): Promise<void>;
  rm(path: string, opts: { force: true }): Promise<void>;
}

function tempPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** For code that must finish the write before it goes on (the reboot flow saves before it acts). */
export function writeFileAtomicSync(path: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}, fs: SyncFs = nodeFs): void {
  const dir = dirname(path);
  fs.mkdirSync(dir, { recursive: true, mode: opts.dirMode ?? 0o755 });
  const tmp = tempPath(path);
  try {
    const fd = fs.openSync(tmp, 'w', opts.mode ?? 0o600);
    try {
      fs.writeFileSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, path);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  const dfd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(dfd);
  } finally {
    fs.closeSync(dfd);
  }
}

export async function writeFileAtomic(path: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}, fs: AsyncFs = nodeFsp): Promise<void> {
  const dir = dirname(path);
  await fs.mkdir(dir, { recursive: true, mode: opts.dirMode ?? 0o755 });
  const tmp = tempPath(path);
  try {
    const fh = await fs.open(tmp, 'w', opts.mode ?? 0o600);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, path);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  const dh = await fs.open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}
