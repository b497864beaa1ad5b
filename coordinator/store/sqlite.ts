// The embedded default store: one SQLite file in WAL mode; a write is
// answered only once it is on disk (a lock that was granted is still held
// after kill -9, a power cut and a restart). Writes go through group commit:
// those of one event-loop turn share one transaction, and each caller is
// answered after the WAL's fsync that follows it, which runs on libuv's
// thread pool while the next batch commits (group-commit.ts, wal-sync.ts).
// better-sqlite3 is synchronous, so an update's read-modify-write has
// nothing interleaved inside the process.
//
// Why not the store in a worker thread: `update` applies a caller's function
// to the current value inside the transaction, and a function cannot cross
// to a worker; the transaction stays here and only the fsync, which is what
// the event loop was waiting for, leaves it.
//
// A fault of the file or its disk (full, read-only, I/O error, corrupt,
// locked) is an UnavailableError: callers answer 503 store_unavailable /
// UNAVAILABLE and retry, and /readyz says not ready until a write succeeds
// again. Only what cannot be a fault of the disk (an SQL mistake) stays an
// internal error.
import Database from 'better-sqlite3';
import { UnavailableError } from '../../common/errors.js';
import { WalSync } from './wal-sync.js';
import { GroupCommit } from './group-commit.js';
import { checkKey, type Store, type StoreEntry, type UpdateOutcome, type WriteOptions } from './store.js';

// SQLite's primary result codes that describe the file, the disk or another process, not the caller.
const FAULTS: Record<string, string> = {
  SQLITE_FULL: 'disk full',
  SQLITE_IOERR: 'I/O error',
  SQLITE_READONLY: 'read-only',
  SQLITE_CANTOPEN: 'cannot open the database file',
  SQLITE_CORRUPT: 'database file corrupt',
  SQLITE_NOTADB: 'not a database file',
  SQLITE_BUSY: 'busy (another process holds the lock)',
  SQLITE_LOCKED: 'locked',
  SQLITE_NOMEM: 'out of memory',
  SQLITE_PERM: 'permission denied',
  SQLITE_PROTOCOL: 'locking protocol error',
  SQLITE_NOLFS: 'file too large',
};

/** The fault a SqliteError describes ("disk full", ...), or undefined for any other error. */
export function sqliteFault(err: unknown): string | undefined {
  if (!(err instanceof Database.SqliteError)) return undefined;
  // Extended codes carry the primary one as their prefix (SQLITE_IOERR_WRITE, SQLITE_READONLY_DBMOVED).
  const primary = Object.keys(FAULTS).find((code) => err.code === code || err.code.startsWith(`${code}_`));
  return primary ? FAULTS[primary] : undefined;
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly getStmt: Database.Statement<[string]>;
  private readonly listStmt: Database.Statement<[string, string]>;
  private readonly putStmt: Database.Statement<[string, string]>;
  private readonly deleteStmt: Database.Statement<[string]>;
  readonly commits: GroupCommit;
  private readonly probeStmt: Database.Statement<[number]>;
  /** Undefined for an in-memory database (tests), which has no file to sync. */
  private readonly wal: WalSync | undefined;

  /** Opens (creating if needed) the database; the directory must exist (coordinator/store/open.ts makes it). */
  constructor(readonly path: string) {
    try {
      this.db = new Database(path);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      this.db.pragma('busy_timeout = 5000');
      this.db.prepare('CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID').run();
      // One row rewritten by each readiness probe: a store that cannot write is not ready.
      this.db.prepare('CREATE TABLE IF NOT EXISTS probe (id INTEGER PRIMARY KEY, at INTEGER NOT NULL)').run();
      this.getStmt = this.db.prepare('SELECT value FROM kv WHERE key = ?');
      this.listStmt = this.db.prepare('SELECT key, value FROM kv WHERE key >= ? AND key < ? ORDER BY key');
      this.putStmt = this.db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
      this.deleteStmt = this.db.prepare('DELETE FROM kv WHERE key = ?');
      this.probeStmt = this.db.prepare('INSERT INTO probe (id, at) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET at = excluded.at');
      // From here on a commit is made durable by the group commit's fsync of the WAL, off the event loop.
      this.wal = this.db.pragma('journal_mode', { simple: true }) === 'wal' ? new WalSync(this.db, `${path}-wal`) : undefined;
    } catch (err) {
      throw new UnavailableError(`store sqlite:${path}: ${sqliteFault(err) ?? 'cannot open'}: ${(err as Error).message}`, { cause: err });
    }
    // A commit that fails leaves nothing of its batch durable: every caller gets an honest unavailable.
    this.commits = new GroupCommit(this.db, (err) => new UnavailableError(`store sqlite:${path}: commit: ${sqliteFault(err) ?? (err as Error).message}`, { cause: err }), undefined, this.wal);
  }

  async get<T>(key: string): Promise<T | undefined> {
    checkKey(key);
    const row = this.guard(`get ${key}`, () => this.getStmt.get(key) as { value: string } | undefined);
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  async list<T>(prefix: string): Promise<StoreEntry<T>[]> {
    // Every key with the prefix sorts in [prefix, prefix + U+FFFF).
    const rows = this.guard(`list ${prefix}`, () => this.listStmt.all(prefix, prefix + '\uffff') as { key: string; value: string }[]);
    return rows.map((r) => ({ key: r.key, value: JSON.parse(r.value) as T }));
  }

  async put<T>(key: string, value: T): Promise<void> {
    checkKey(key);
    const text = JSON.stringify(value);
    await this.commits.submit(() => this.guard(`put ${key}`, () => this.putStmt.run(key, text)));
  }

  async delete(key: string): Promise<void> {
    checkKey(key);
    await this.commits.submit(() => this.guard(`delete ${key}`, () => this.deleteStmt.run(key)));
  }

  async update<T, R>(key: string, fn: (current: T | undefined) => UpdateOutcome<T, R>, options: WriteOptions = {}): Promise<R> {
    checkKey(key);
    // What `fn` throws (a refusal) passes through unchanged; a fault of the disk becomes UnavailableError.
    return this.commits.submit(() => {
      const row = this.guard(`update ${key}`, () => this.getStmt.get(key) as { value: string } | undefined);
      const outcome = fn(row ? (JSON.parse(row.value) as T) : undefined);
      this.guard(`update ${key}`, () => {
        if (outcome.next === null) this.deleteStmt.run(key);
        else if (outcome.next !== undefined) this.putStmt.run(key, JSON.stringify(outcome.next));
      });
      return outcome.result;
    }, options.priority);
  }

  /** True when a write commits now (a full or read-only disk still answers reads). */
  async ready(): Promise<boolean> {
    if (!this.db.open) return false;
    try {
      this.probeStmt.run(Date.now());
      return true;
    } catch {
      return false;
    }
  }

  /** True when the database answers a read (liveness: a full disk is not a reason to restart). */
  async answers(): Promise<boolean> {
    try {
      this.db.prepare('SELECT 1').get();
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    await this.commits.drain().catch(() => undefined);
    await this.wal?.close();
    this.db.close();
  }

  private guard<T>(what: string, body: () => T): T {
    try {
      return body();
    } catch (err) {
      throw this.fault(what, err);
    }
  }

  /** A disk fault as UnavailableError naming the file; anything else unchanged. */
  private fault(what: string, err: unknown): unknown {
    const fault = sqliteFault(err);
    if (fault) return new UnavailableError(`store sqlite:${this.path}: ${what}: ${fault} (${(err as { code: string }).code})`, { cause: err });
    return err;
  }
}

SqliteStore satisfies new (path: string) => Store;
