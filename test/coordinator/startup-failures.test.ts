// Every start-up failure of the built coordinator is one line on stderr naming
// the path or key, and a non-zero exit (issue 15: a /proc store path spun on
// mkdir for ever; a read-only mount, corrupt pages and a stored value of the
// wrong shape printed stack traces, or started and called a group "full").
// The wait for the exit is bounded only to catch a hang.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../coordinator/store/sqlite.js';
import { describeWith } from '../support/components.js';
import { distPath } from '../support/programs.js';
import { makeTempDir } from '../support/tmp.js';

const HANG_MS = 15_000;

/** Runs the coordinator on `store` and waits for it to exit; a hang is killed and reported. */
function startWith(store: string): Promise<{ code: number | null; stderr: string; hung: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [distPath('coordinator'), '--store', store, '--grpc-listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let hung = false;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, HANG_MS);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, hung });
    });
  });
}

function expectOneLineNaming(result: { code: number | null; stderr: string; hung: boolean }, ...names: string[]): void {
  expect(result.hung, `still running after ${HANG_MS} ms; stderr: ${result.stderr}`).toBe(false);
  expect(result.code).not.toBe(0);
  expect(result.code).not.toBeNull();
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^hostpilot-coordinator: /);
  expect(lines[0]).not.toMatch(/\n\s+at /);
  for (const name of names) expect(lines[0]).toContain(name);
}

async function seed(path: string, entries: Record<string, unknown>): Promise<void> {
  const store = new SqliteStore(path);
  for (const [key, value] of Object.entries(entries)) await store.put(key, value);
  await store.close();
}

describe('coordinator start-up failures', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeAll(() => {
    tmp = makeTempDir('hostpilot-startup-');
  });
  afterAll(() => tmp?.remove());

  it('a store directory under /proc: one line naming it, no endless mkdir', async () => {
    expectOneLineNaming(await startWith('sqlite:/proc/self/nope/c.db'), '/proc/self/nope');
  });

  it('a store path whose parent is a file', async () => {
    const file = join(tmp.dir, 'plain-file');
    closeSync(openSync(file, 'w'));
    expectOneLineNaming(await startWith(`sqlite:${file}/sub/c.db`), file);
  });

  it('a stored lock group of the wrong shape ({"holders":"x"}): names the key, never "full"', async () => {
    const db = join(tmp.dir, 'shape-locks.db');
    await seed(db, { 'locks/default': { holders: 'x' } });
    expectOneLineNaming(await startWith(`sqlite:${db}`), 'locks/default', 'holders');
  });

  it('a stored node record of the wrong shape: names the key', async () => {
    const db = join(tmp.dir, 'shape-nodes.db');
    await seed(db, { 'nodes/n1': { nodeId: 'n1', labels: 'x' } });
    expectOneLineNaming(await startWith(`sqlite:${db}`), 'nodes/n1');
  });

  it('corrupted database pages: names the file', async () => {
    const db = join(tmp.dir, 'corrupt.db');
    const entries: Record<string, unknown> = {};
    for (let i = 0; i < 200; i++) entries[`nodes/n${i}`] = { nodeId: `n${i}`, hostname: 'h'.repeat(200) };
    await seed(db, entries);
    // Everything after the first page (the header stays valid, so the file opens).
    const size = statSync(db).size;
    expect(size).toBeGreaterThan(3 * 4096);
    const fd = openSync(db, 'r+');
    writeSync(fd, Buffer.alloc(size - 4096, 0xab), 0, size - 4096, 4096);
    closeSync(fd);
    expectOneLineNaming(await startWith(`sqlite:${db}`), db);
  });

  it('a file that is not a database: names the file', async () => {
    const db = join(tmp.dir, 'garbage.db');
    const fd = openSync(db, 'w');
    writeSync(fd, Buffer.alloc(8192, 0x5a));
    closeSync(fd);
    expectOneLineNaming(await startWith(`sqlite:${db}`), db);
  });
});

describeWith(['root', 'mount', 'umount'], 'coordinator start-up on a read-only mount', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let mnt: string;
  let mounted = false;
  beforeAll(() => {
    tmp = makeTempDir('hostpilot-startup-ro-');
    mnt = join(tmp.dir, 'ro');
    mkdirSync(mnt);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,ro', 'tmpfs', mnt]);
    mounted = true;
  });
  afterAll(() => {
    if (mounted) execFileSync('umount', [mnt]);
    tmp?.remove();
  });

  it('a missing store directory on a read-only mount: one line naming it', async () => {
    expectOneLineNaming(await startWith(`sqlite:${join(mnt, 'missing', 'c.db')}`), join(mnt, 'missing'));
  });

  it('a store file that cannot be created on a read-only mount: one line naming it', async () => {
    expectOneLineNaming(await startWith(`sqlite:${join(mnt, 'c.db')}`), join(mnt, 'c.db'));
  });
});
