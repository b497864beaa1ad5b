// Durability for the SQLite store without an fsync on the event loop.
//
// With synchronous=FULL, better-sqlite3 fsyncs the WAL inside every commit,
// on the event loop: at 5,000 nodes in a rollout a third of the coordinator's
// busy time was spent blocked there (bench/README.md). Here the connection
// runs with synchronous=OFF (a commit only write()s its frames to the WAL) and
// the group commit answers its callers after this fsync of the WAL file, done
// on libuv's thread pool. A commit is on disk once an fsync that *started*
// after it returned, so a caller never waits on an fsync already in flight:
// the next one (shared by everyone who asks meanwhile) starts when it ends.
//
// Why this is as durable as FULL for what is acknowledged:
// - recovery replays the WAL up to its last valid commit frame; every byte of
//   an acknowledged commit, and of every commit before it, was in the file
//   when its fsync began;
// - a commit made but not yet synced may be read by a later write (a lock
//   granted on top of another): that later write is acknowledged only after a
//   later fsync, which covers both;
// - the database file is written only by checkpoints, which SQLite runs here
//   with synchronous=FULL (WAL synced, pages copied, database file synced
//   before the WAL is reused), every CHECKPOINT_EVERY commits and on close;
//   automatic checkpoints are off, since under OFF they would not sync.
import { fsync, open, close } from 'node:fs';
import type Database from 'better-sqlite3';

/** Resolves once every commit made before the call is on disk. */
export interface Durability {
  sync(): Promise<void>;
  /** Syncs and checkpoints whatever is left (the store closes). */
  close(): Promise<void>;
}

/** SQLite's own automatic checkpoint threshold is 1,000 pages; a commit here writes one to a few pages of the WAL. */
export const CHECKPOINT_EVERY = 200;

export class WalSync implements Durability {
  private fd: Promise<number> | undefined;
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private sinceCheckpoint = 0;

  constructor(
    private readonly db: Database.Database,
    private readonly walPath: string,
    /** fsync(2) on the thread pool; a test counts and holds the calls. */
    private readonly fsyncFd: (fd: number) => Promise<void> = fsyncOnPool,
  ) {
    db.pragma('wal_autocheckpoint = 0');
    db.pragma('synchronous = OFF');
  }

  sync(): Promise<void> {
    if (++this.sinceCheckpoint >= CHECKPOINT_EVERY) {
      try {
        this.checkpoint();
      } catch (err) {
        return Promise.reject(err);
      }
    }
    if (!this.running) return this.start();
    // The fsync in flight may have begun before this commit was written: one more after it.
    this.queued ??= this.running.then(() => {
      this.queued = undefined;
      return this.start();
    });
    return this.queued;
  }

  async close(): Promise<void> {
    await this.queued;
    await this.running;
    // SQLite checkpoints and removes the WAL when the last connection closes: under FULL, with syncs.
    this.db.pragma('synchronous = FULL');
    const fd = await this.fd?.catch(() => undefined);
    if (fd !== undefined) await new Promise<void>((resolve) => close(fd, () => resolve()));
  }

  private start(): Promise<void> {
    const run = this.fsyncWal().finally(() => {
      if (this.running === run) this.running = undefined;
    });
    this.running = run;
    return run;
  }

  private async fsyncWal(): Promise<void> {
    // Opened once: the WAL file lives as long as the connection (SQLite truncates or rewrites it, never replaces it while open).
    this.fd ??= new Promise((resolve, reject) => open(this.walPath, 'r', (err, fd) => (err ? reject(err) : resolve(fd))));
    await this.fsyncFd(await this.fd);
  }

  /** Copies the WAL into the database file with syncs, on the event loop (a few ms every CHECKPOINT_EVERY commits). */
  private checkpoint(): void {
    this.sinceCheckpoint = 0;
    this.db.pragma('synchronous = FULL');
    try {
      this.db.pragma('wal_checkpoint(PASSIVE)');
    } finally {
      this.db.pragma('synchronous = OFF');
    }
  }
}

function fsyncOnPool(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fsync(fd, (err) => (err ? reject(err) : resolve())));
}
