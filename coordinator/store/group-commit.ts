// Group commit for the SQLite store. A commit with synchronous=FULL costs an
// fsync, and better-sqlite3 runs it on the event loop: one commit per write
// let a flood of node reports hold every lock call behind thousands of fsyncs
// (issue 15). Here the writes asked for in one event-loop turn run in one
// transaction and share one fsync; each caller is answered only after that
// commit returned, so an acknowledged write (a granted lock) is on disk.
//
// On a file, "on disk" is the WAL's fsync off the event loop (wal-sync.ts):
// callers are answered when it returns, and meanwhile the next batch commits.
//
// Two priorities: foreground writes (locks, rollouts, operators) all go into
// the next commit; background writes (node reports) fill at most
// `maxBackground` places per commit, so a backlog of reports never makes the
// commit a lock write waits for longer than one bounded batch.
import type Database from 'better-sqlite3';
import type { Durability } from './wal-sync.js';

export type Priority = 'foreground' | 'background';

interface Pending {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

export interface GroupCommitStats {
  /** Transactions committed. */
  commits: number;
  /** Writes committed. */
  writes: number;
}

export class GroupCommit {
  private readonly foreground: Pending[] = [];
  private readonly background: Pending[] = [];
  private scheduled: NodeJS.Immediate | undefined;
  /** The last batch's wait for the disk (drain waits for it). */
  private lastSync: Promise<unknown> = Promise.resolve();
  /** Set when an fsync failed: what was committed since may not be on disk, so nothing more is acknowledged. */
  private broken: unknown;
  readonly stats: GroupCommitStats = { commits: 0, writes: 0 };

  constructor(
    private readonly db: Database.Database,
    /** Turns a failed commit's error into what every caller of the batch gets. */
    private readonly failure: (err: unknown) => unknown,
    private readonly maxBackground = 256,
    /** Makes a commit durable after the fact (a file with synchronous=OFF); without it a commit is taken as durable. */
    private readonly durability?: Pick<Durability, 'sync'>,
  ) {}

  /**
   * Runs `op` inside the next group transaction (in a savepoint of its own, so
   * an op that throws fails alone) and resolves once that transaction committed.
   */
  submit<R>(op: () => R, priority: Priority = 'foreground'): Promise<R> {
    if (this.broken !== undefined) return Promise.reject(this.broken);
    return new Promise<R>((resolve, reject) => {
      (priority === 'foreground' ? this.foreground : this.background).push({ run: op, resolve: resolve as (v: unknown) => void, reject });
      this.scheduled ??= setImmediate(() => this.flush());
    });
  }

  /** Writes waiting for a commit (foreground + background). */
  get queued(): number {
    return this.foreground.length + this.background.length;
  }

  /** Commits everything waiting now and waits until it is on disk (on close: nothing asked for is dropped). */
  async drain(): Promise<void> {
    while (this.queued > 0) this.flush();
    await this.lastSync;
  }

  private flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    const batch = [...this.foreground.splice(0), ...this.background.splice(0, this.maxBackground)];
    if (this.background.length > 0) this.scheduled = setImmediate(() => this.flush());
    if (batch.length === 0) return;
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; err: unknown }> = [];
    try {
      // IMMEDIATE: take the write lock before reading, so another process on the same file cannot interleave.
      this.db
        .transaction(() => {
          for (const p of batch) {
            try {
              outcomes.push({ ok: true, value: this.db.transaction(p.run)() });
            } catch (err) {
              outcomes.push({ ok: false, err });
            }
          }
        })
        .immediate();
    } catch (err) {
      // Nothing of the batch is durable: every caller learns it.
      const failed = this.failure(err);
      for (const p of batch) p.reject(failed);
      return;
    }
    this.stats.commits++;
    this.stats.writes += batch.length;
    const answer = () =>
      batch.forEach((p, i) => {
        const o = outcomes[i]!;
        if (o.ok) p.resolve(o.value);
        else p.reject(o.err);
      });
    if (!this.durability) return answer();
    this.lastSync = this.durability.sync().then(answer, (err: unknown) => {
      this.broken ??= this.failure(err);
      for (const p of batch) p.reject(this.broken);
    });
  }
}
