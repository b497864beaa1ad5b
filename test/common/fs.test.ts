// writeFileAtomic: the file is fsynced before the rename and the directory
// after it. A recording fs wraps the real one, so the order of the calls is
// what is checked, and the file on disk is real.
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic, writeFileAtomicSync, type AsyncFs, type SyncFs } from '../../common/fs.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hp-fs-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Which path each call touched: fds and handles are mapped back to the path they were opened on. */
function recordingSyncFs(calls: string[], failRename = false): SyncFs {
  const paths = new Map<number, string>();
  return {
    mkdirSync: (p, o) => fs.mkdirSync(p, o),
    openSync: (p, f, m) => {
      const fd = fs.openSync(p, f, m);
      paths.set(fd, p);
      calls.push(`open ${p}`);
      return fd;
    },
    writeFileSync: (fd, d) => {
      calls.push(`write ${paths.get(fd)}`);
      fs.writeFileSync(fd, d);
    },
    fsyncSync: (fd) => {
      calls.push(`fsync ${paths.get(fd)}`);
      fs.fsyncSync(fd);
    },
    closeSync: (fd) => {
      calls.push(`close ${paths.get(fd)}`);
      fs.closeSync(fd);
    },
    renameSync: (a, b) => {
      calls.push(`rename ${a} ${b}`);
      if (failRename) throw Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' });
      fs.renameSync(a, b);
    },
    rmSync: (p, o) => {
      calls.push(`rm ${p}`);
      fs.rmSync(p, o);
    },
  };
}

function recordingAsyncFs(calls: string[]): AsyncFs {
  return {
    mkdir: (p, o) => fsp.mkdir(p, o),
    open: async (p, f, m) => {
      const fh = await fsp.open(p, f, m);
      calls.push(`open ${p}`);
      return {
        writeFile: async (d: string | Uint8Array) => {
          calls.push(`write ${p}`);
          await fh.writeFile(d);
        },
        sync: async () => {
          calls.push(`fsync ${p}`);
          await fh.sync();
        },
        close: async () => {
          calls.push(`close ${p}`);
          await fh.close();
        },
      };
    },
    rename: async (a, b) => {
      calls.push(`rename ${a} ${b}`);
      await fsp.rename(a, b);
    },
    rm: async (p, o) => {
      calls.push(`rm ${p}`);
      await fsp.rm(p, o);
    },
  };
}

function expectDurableOrder(calls: string[], target: string, parent: string): void {
  const tmp = calls[0]!.replace(/^open /, '');
  expect(tmp).not.toBe(target);
  expect(tmp.startsWith(join(parent, '.'))).toBe(true); // same directory, so the rename is atomic
  expect(calls).toEqual([`open ${tmp}`, `write ${tmp}`, `fsync ${tmp}`, `close ${tmp}`, `rename ${tmp} ${target}`, `open ${parent}`, `fsync ${parent}`, `close ${parent}`]);
}

describe('writeFileAtomicSync', () => {
  it('fsyncs the file, renames it into place, then fsyncs the directory', () => {
    const calls: string[] = [];
    const target = join(dir, 'state', 'reboot-flow.json');
    writeFileAtomicSync(target, 'new\n', { mode: 0o640 }, recordingSyncFs(calls));
    expectDurableOrder(calls, target, join(dir, 'state'));
    expect(readFileSync(target, 'utf8')).toBe('new\n');
    expect(statSync(target).mode & 0o777).toBe(0o640);
    expect(readdirSync(join(dir, 'state'))).toEqual(['reboot-flow.json']);
  });

  it('a failed rename leaves the old file and no temporary file', () => {
    const target = join(dir, 'x.json');
    fs.writeFileSync(target, 'old');
    const calls: string[] = [];
    expect(() => writeFileAtomicSync(target, 'new', {}, recordingSyncFs(calls, true))).toThrow(/EIO/);
    expect(readFileSync(target, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['x.json']);
    expect(calls.at(-1)).toMatch(/^rm /);
  });
});

describe('writeFileAtomic', () => {
  it('fsyncs the file, renames it into place, then fsyncs the directory', async () => {
    const calls: string[] = [];
    const target = join(dir, 'pods', 'c1@eth0.json');
    await writeFileAtomic(target, '{}\n', { dirMode: 0o700 }, recordingAsyncFs(calls));
    expectDurableOrder(calls, target, join(dir, 'pods'));
    expect(readFileSync(target, 'utf8')).toBe('{}\n');
    expect(statSync(target).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'pods')).mode & 0o777).toBe(0o700);
  });

  it('replaces an existing file with the real fs', async () => {
    const target = join(dir, 'marker.json');
    fs.writeFileSync(target, 'old');
    await writeFileAtomic(target, 'new', { mode: 0o644 });
    expect(readFileSync(target, 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['marker.json']);
  });
});
