// Group commit on a real SQLite file: the writes of one turn share one
// transaction, every caller is answered only after it committed (a second
// connection sees the write by then), a failing write fails alone, a failed
// commit fails every caller, and a backlog of background writes never holds
// a foreground write for more than one bounded batch.
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { UnavailableError } from '../../common/errors.js';
import { GroupCommit } from '../../coordinator/store/group-commit.js';
import { SqliteStore } from '../../coordinator/store/sqlite.js';
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
