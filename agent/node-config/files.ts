// Managed files: what is on disk for each (contents, mode, owner), what of it
// differs from the rendered config, and putting it right. Paths in the config
// are the node's (/etc/..., /var/...); `root` prefixes them (tests use a temp
// root, the agent "/").
import { chmod, chown, lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ManagedFile } from '../../common/api/node-config.js';
import { writeFileAtomic } from '../../common/fs.js';
import type { Ids } from './owners.js';

export interface ObservedFile {
  /** null: there is no file (or something that is not a regular file). */
  contents: string | null;
  mode: number;
  uid: number;
  gid: number;
  /** A directory, symlink or device where the file should be. */
  notRegular?: string;
}

export function hostPath(root: string, path: string): string {
  return join(root, path);
}

export async function observeFile(root: string, path: string): Promise<ObservedFile> {
  const full = hostPath(root, path);
  try {
    const st = await lstat(full);
    if (!st.isFile()) return { contents: null, mode: 0, uid: 0, gid: 0, notRegular: st.isDirectory() ? 'a directory' : st.isSymbolicLink() ? 'a symbolic link' : 'not a regular file' };
    return { contents: await readFile(full, 'utf8'), mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { contents: null, mode: 0, uid: 0, gid: 0 };
    throw err;
  }
}

/** Pure: what differs, one short phrase each ([] when in sync). */
export function fileDrift(want: ManagedFile, ids: Ids, have: ObservedFile): string[] {
  if (have.notRegular) return [`is ${have.notRegular}`];
  if (have.contents === null) return ['is missing'];
  const out: string[] = [];
  if (have.contents !== want.contents) out.push('contents differ');
  if (have.mode !== want.mode) out.push(`mode ${octal(have.mode)}, want ${octal(want.mode)}`);
  if (have.uid !== ids.uid || have.gid !== ids.gid) out.push(`owner ${have.uid}:${have.gid}, want ${ids.uid}:${ids.gid}`);
  return out;
}

/**
 * Writes what differs: the contents atomically (common/fs.ts) when they
 * differ, then owner and mode (chown before chmod: a chown clears setuid
 * bits). Something that is not a regular file is not replaced: refused.
 */
export async function putFile(root: string, want: ManagedFile, ids: Ids, have: ObservedFile): Promise<void> {
  const full = hostPath(root, want.path);
  if (have.notRegular) throw new Error(`${want.path} is ${have.notRegular}; not replaced`);
  // Created with at most the wanted mode, so the file is never more open than asked, even for a moment.
  if (have.contents !== want.contents) await writeFileAtomic(full, want.contents, { mode: want.mode & 0o777 });
  await chown(full, ids.uid, ids.gid);
  await chmod(full, want.mode);
}

export function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}
