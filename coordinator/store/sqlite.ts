// The embedded default store: one SQLite file, WAL with synchronous=FULL so a
// transaction that returned is on disk (a lock that was granted is still held
// after kill -9 and a restart). Writes go through group commit: those of one
// event-loop turn share one transaction and one fsync, and each caller is
// answered after it (group-commit.ts). better-sqlite3 is synchronous, so an
// update's read-modify-write has nothing interleaved inside the process.
//
// Why not the store in a worker thread: `update` applies a caller's function
// to the current value inside the transaction, and a function cannot cross
// to a worker; group commit keeps that contract and removes the per-write
// fsync, which is what the event loop was waiting for.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { UnavailableError } from '../../common/errors.js';
import { GroupCommit } from './group-commit.js';
import { checkKey, type Store, type StoreEntry, type UpdateOutcome, type WriteOptions } from './store.js';

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly getStmt: Database.Statement<[string]>;
  private readonly listStmt: Database.Statement<[string, string]>;
  private readonly putStmt: Database.Statement<[string, string]>;
  private readonly deleteStmt: Database.Statement<[string]>;
  readonly commits: GroupCommit;

  constructor(readonly path: string) {
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      this.db = new Database(path);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      this.db.pragma('busy_timeout = 5000');
      this.db.prepare('CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID').run();
    } catch (err) {
      throw new UnavailableError(`store sqlite:${path}: ${(err as Error).message}`, { cause: err });
    }
    this.getStmt = this.db.prepare('SELECT value FROM kv WHERE key = ?');
    this.listStmt = this.db.prepare('SELECT key, value FROM kv WHERE key >= ? AND key < ? ORDER BY key');
    this.putStmt = this.db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
    this.deleteStmt = this.db.prepare('DELETE FROM kv WHERE key = ?');
    this.commits = new GroupCommit(this.db, (err) => new UnavailableError(`store sqlite:${path}: ${(err as Error).message}`, { cause: err }));
  }

  async get<T>(key: string): Promise<T | undefined> {
    const row = this.getStmt.get(checkKey(key)) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  async list<T>(prefix: string): Promise<StoreEntry<T>[]> {
    // Every key with the prefix sorts in [prefix, prefix + U+FFFF).
    return (this.listStmt.all(prefix, prefix + '\uffff') as { key: string; value: string }[]).map((r) => ({ key: r.key, value: JSON.parse(r.value) as T }));
  }

  async put<T>(key: string, value: T): Promise<void> {
    checkKey(key);
    const text = JSON.stringify(value);
    await this.commits.submit(() => this.putStmt.run(key, text));
  }

  async delete(key: string): Promise<void> {
    checkKey(key);
    await this.commits.submit(() => this.deleteStmt.run(key));
  }

  async update<T, R>(key: string, fn: (current: T | undefined) => UpdateOutcome<T, R>, options: WriteOptions = {}): Promise<R> {
    checkKey(key);
    return this.commits.submit(() => {
      const row = this.getStmt.get(key) as { value: string } | undefined;
      const outcome = fn(row ? (JSON.parse(row.value) as T) : undefined);
      if (outcome.next === null) this.deleteStmt.run(key);
      else if (outcome.next !== undefined) this.putStmt.run(key, JSON.stringify(outcome.next));
      return outcome.result;
    }, options.priority);
  }

  async ready(): Promise<boolean> {
    try {
      this.db.prepare('SELECT 1').get();
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    this.commits.drain();
    this.db.close();
  }
}

SqliteStore satisfies new (path: string) => Store;
