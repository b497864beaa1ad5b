// Group commit on a real SQLite file: the writes of one turn share one
// transaction, every caller is answered only after it committed (a second
// connection sees the write by then), a failing write fails alone, a failed
// commit fails every caller, and a backlog of background writes never holds
// a foreground write for more than one bounded batch.
import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { UnavailableError } from '../../common/errors.js';
import { GroupCommit } from '../../coordinator/store/group-commit.js';
import { SqliteStore } from '../../coordinator/store/sqlite.js';
import { CHECKPOINT_EVERY, WalSync } from '../../coordinator/store/wal-sync.js';
import { makeTempDir } from '../support/tmp.js';

describe('SQLite group commit', () => {
  const cleanups: Array<() => void | Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  function tempStore(): { store: SqliteStore; path: string } {
    const tmp = makeTempDir();
    const path = `${tmp.dir}/c.db`;
    const store = new SqliteStore(path);
    cleanups.push(tmp.remove, () => store.close());
    return { store, path };
  }

  it('commits the writes of one turn in one transaction and answers each after the commit', async () => {
    const { store, path } = tempStore();
    const reader = new Database(path, { readonly: true });
    cleanups.push(() => void reader.close());
    const before = store.commits.stats.commits;
    const seenByOtherConnection: boolean[] = [];
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        store.update<number, void>(`locks/g${i}`, () => ({ next: i, result: undefined })).then(() => {
          seenByOtherConnection.push(reader.prepare('SELECT value FROM kv WHERE key = ?').get(`locks/g${i}`) !== undefined);
        }),
      ),
    );
    expect(store.commits.stats.commits - before).toBe(1);
    expect(seenByOtherConnection).toEqual(Array(100).fill(true));
  });

  it('fails only the write that threw; the others of its batch commit', async () => {
    const { store } = tempStore();
    const results = await Promise.allSettled([
      store.put('a', 1),
      store.update<number, void>('a', () => {
        throw new Error('planner bug');
      }),
      store.update<number, number>('a', (n) => ({ next: (n ?? 0) + 1, result: (n ?? 0) + 1 })),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await store.get('a')).toBe(2);
  });

  it('lets a foreground write pass a backlog of background writes', async () => {
    const { store } = tempStore();
    const order: string[] = [];
    const background = Array.from({ length: 1000 }, (_, i) =>
      store.update<number, void>(`nodes/n${i}`, () => ({ next: i, result: undefined }), { priority: 'background' }).then(() => order.push('report')),
    );
    const lock = store.update<string, void>('locks/default', () => ({ next: 'n1', result: undefined })).then(() => order.push('lock'));
    await Promise.all([...background, lock]);
    // The lock write shares the first commit with at most one bounded batch of reports.
    expect(order.indexOf('lock')).toBeLessThanOrEqual(256);
    expect(order.filter((o) => o === 'report')).toHaveLength(1000);
    expect(store.commits.stats.commits).toBeGreaterThanOrEqual(4);
  });

  it('fails every caller of a batch whose commit fails, with an unavailable error, and writes none of it', async () => {
    const tmp = makeTempDir();
    cleanups.push(tmp.remove);
    const path = `${tmp.dir}/c.db`;
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 0');
    db.prepare('CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID').run();
    const other = new Database(path);
    cleanups.push(() => void db.close(), () => void other.close());
    // Another process holds the write lock: this commit cannot start.
    other.prepare('BEGIN IMMEDIATE').run();
    const commits = new GroupCommit(db, (err) => new UnavailableError(`store: ${(err as Error).message}`));
    const put = db.prepare('INSERT INTO kv (key, value) VALUES (?, ?)');
    const results = await Promise.allSettled([commits.submit(() => put.run('a', '1')), commits.submit(() => put.run('b', '2'), 'background')]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(UnavailableError);
    }
    other.prepare('ROLLBACK').run();
    expect(db.prepare('SELECT count(*) AS n FROM kv').get()).toEqual({ n: 0 });
  });

  it('commits what is still queued when the store closes', async () => {
    const { store, path } = tempStore();
    const pending = store.put('nodes/n1', { ok: true });
    await store.close();
    await pending;
    const again = new SqliteStore(path);
    cleanups.push(() => again.close());
    expect(await again.get('nodes/n1')).toEqual({ ok: true });
  });
});

describe('SQLite durability off the event loop', () => {
  const cleanups: Array<() => void | Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  /** A WAL database with its fsyncs held until the test lets them go. */
  function heldSyncs() {
    const tmp = makeTempDir();
    const path = `${tmp.dir}/c.db`;
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.prepare('CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID').run();
    const held: Array<{ release: () => void; fail: (err: Error) => void }> = [];
    const wal = new WalSync(db, `${path}-wal`, () => new Promise<void>((resolve, reject) => held.push({ release: resolve, fail: reject })));
    const commits = new GroupCommit(db, (err) => new UnavailableError(`store: ${(err as Error).message}`), 256, wal);
    const put = db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
    cleanups.push(tmp.remove, () => void db.close());
    return { db, commits, held, put: (k: string) => commits.submit(() => put.run(k, '1')) };
  }
  const turn = () => new Promise((r) => setImmediate(r));
  /** Turns of the event loop until `ok` (the WAL's file is opened on the thread pool first); bounded, not timed. */
  const until = async (ok: () => boolean) => {
    for (let i = 0; !ok(); i++) {
      if (i > 100_000) throw new Error('never came');
      await turn();
    }
  };

  it('runs with synchronous=OFF and no automatic checkpoint, and answers a write only after the fsync that follows its commit', async () => {
    const { db, commits, held, put } = heldSyncs();
    expect(db.pragma('synchronous', { simple: true })).toBe(0);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    let answered = false;
    const first = put('a').then(() => (answered = true));
    await until(() => held.length === 1);
    expect(commits.stats.commits).toBe(1);
    expect(answered).toBe(false);
    held[0]!.release();
    await first;
    expect(answered).toBe(true);
  });

  it('commits the next batch while an fsync runs, and answers it after a second fsync, not the one in flight', async () => {
    const { commits, held, put } = heldSyncs();
    const order: string[] = [];
    const a = put('a').then(() => order.push('a'));
    await until(() => held.length === 1);
    const b = put('b').then(() => order.push('b'));
    const c = put('c').then(() => order.push('c'));
    await turn();
    await turn();
    // b and c committed (one batch) while a's fsync is still out; they wait for the next one.
    expect(commits.stats.commits).toBe(2);
    expect(held).toHaveLength(1);
    held[0]!.release();
    await a;
    await until(() => held.length === 2);
    expect(order).toEqual(['a']);
    held[1]!.release();
    await Promise.all([b, c]);
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('fails the batch whose fsync failed with unavailable, and acknowledges nothing after it', async () => {
    const { held, put } = heldSyncs();
    const a = put('a');
    await until(() => held.length === 1);
    held[0]!.fail(new Error('EIO: i/o error, fsync'));
    await expect(a).rejects.toBeInstanceOf(UnavailableError);
    await expect(put('b')).rejects.toThrow(/EIO/);
  });

  it('checkpoints the WAL itself every CHECKPOINT_EVERY commits, so the WAL does not grow with the store', async () => {
    const tmp = makeTempDir();
    cleanups.push(tmp.remove);
    const store = new SqliteStore(`${tmp.dir}/c.db`);
    cleanups.push(() => store.close());
    const value = 'v'.repeat(3000);
    const commit = async (from: number, to: number) => {
      for (let i = from; i < to; i++) await store.put(`k${i}`, value);
      return statSync(`${tmp.dir}/c.db-wal`).size;
    };
    const after2 = await commit(0, 2 * CHECKPOINT_EVERY);
    const after6 = await commit(2 * CHECKPOINT_EVERY, 6 * CHECKPOINT_EVERY);
    // Without checkpoints the WAL holds every commit: three times as many frames after 6 rounds as after 2.
    expect(after6).toBeLessThan(1.5 * after2);
    expect(await store.get(`k${6 * CHECKPOINT_EVERY - 1}`)).toBe(value);
  });
});
