// Follows a prefix on etcd: one paginated list at a revision, then a watch
// from the next revision, so a replica learns each change once, as it
// happens, instead of reading the whole prefix again and again. The etcd3
// client resumes a broken watch stream from the last revision it delivered;
// when that revision has been compacted away, etcd cancels the watch and the
// prefix is listed again (the only re-list).
//
// caughtUp() is a barrier: it writes a marker key inside the watched range and
// waits until the watch has delivered that write, so every change committed
// before the call has been seen (etcd delivers events in revision order). The
// marker is one shared key beside the prefix ("nodes.follow" for "nodes/"):
// it never appears in a listing of the prefix and nothing accumulates.
import { Range, type Etcd3, type IKeyValue, type Watcher } from 'etcd3';
import { UnavailableError, errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import type { FollowSink, Following } from './follow.js';
import type { StoreEntry } from './store.js';

type Namespace = ReturnType<Etcd3['namespace']>;

export interface EtcdFollowDeps {
  ns: Namespace;
  /** The prefix's entries and the revision they were read at (paginated). */
  listAt(prefix: string): Promise<{ entries: StoreEntry<unknown>[]; revision: string }>;
  /** Deadline of one barrier. */
  timeoutMs: number;
  log: Logger;
}

interface Waiter {
  revision: bigint;
  resolve: () => void;
}

export class EtcdFollowing implements Following {
  private readonly marker: string;
  private watcher: Watcher | undefined;
  /** Bumped on every (re)start: events of a replaced watcher are dropped. */
  private generation = 0;
  /** The last revision whose changes reached the sink. */
  private applied = 0n;
  private waiters: Waiter[] = [];
  private restarting: Promise<void> | undefined;
  private closed = false;
  /** Times the prefix was listed (the first, then one per lost watch). */
  lists = 0;

  constructor(
    private readonly prefix: string,
    private readonly sink: FollowSink,
    private readonly deps: EtcdFollowDeps,
  ) {
    this.marker = `${prefix.replace(/\/$/, '')}.follow`;
  }

  /** Lists, then watches; resolves when the first listing has reached the sink. */
  async start(): Promise<void> {
    await this.restart();
  }

  async caughtUp(): Promise<void> {
    if (this.closed) throw new UnavailableError('store etcd: closed');
    const res = await this.deps.ns.put(this.marker).value('').options({ deadline: Date.now() + this.deps.timeoutMs }).exec();
    const revision = BigInt(res.header.revision);
    if (this.applied >= revision) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new UnavailableError(`store etcd: follow ${this.prefix}: the watch did not catch up within ${this.deps.timeoutMs} ms`));
      }, this.deps.timeoutMs);
      const waiter: Waiter = {
        revision,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.waiters.push(waiter);
    });
  }

  relist(): Promise<void> {
    return this.restart();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.generation++;
    const watcher = this.watcher;
    this.watcher = undefined;
    await cancel(watcher);
  }

  /** One restart at a time; callers meanwhile share it. */
  private restart(): Promise<void> {
    this.restarting ??= this.listAndWatch().finally(() => (this.restarting = undefined));
    return this.restarting;
  }

  private async listAndWatch(): Promise<void> {
    const generation = ++this.generation;
    const old = this.watcher;
    this.watcher = undefined;
    await cancel(old);
    const { entries, revision } = await this.deps.listAt(this.prefix);
    if (this.closed || generation !== this.generation) return;
    this.lists++;
    this.sink.reset(entries);
    this.advance(BigInt(revision));
    const range = new Range(this.marker, Range.prefix(this.prefix).end);
    const watcher = this.deps.ns.watch().inRange(range).startRevision((BigInt(revision) + 1n).toString()).watcher();
    this.watcher = watcher;
    watcher.on('put', (kv) => generation === this.generation && this.deliver(kv, true));
    watcher.on('delete', (kv) => generation === this.generation && this.deliver(kv, false));
    // Canceled by etcd: its revision was compacted (or the watch was refused). List again and follow on.
    watcher.on('error', (err) => {
      if (generation !== this.generation || this.closed) return;
      this.deps.log.warn('watch lost its place; listing again', { prefix: this.prefix, error: errorMessage(err) });
      void this.retry();
    });
  }

  /** Re-lists until it works (etcd may be down for a while). */
  private async retry(): Promise<void> {
    for (let delay = 100; !this.closed; delay = Math.min(delay * 2, 5000)) {
      try {
        await this.restart();
        return;
      } catch (err) {
        this.deps.log.warn('cannot list for the watch', { prefix: this.prefix, error: errorMessage(err) });
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private deliver(kv: IKeyValue, put: boolean): void {
    const key = kv.key.toString();
    if (key.startsWith(this.prefix)) {
      try {
        this.sink.change(key, put ? JSON.parse(kv.value.toString()) : undefined);
      } catch (err) {
        this.deps.log.warn('cannot apply a change from the store', { key, error: errorMessage(err) });
      }
    }
    this.advance(BigInt(kv.mod_revision));
  }

  private advance(revision: bigint): void {
    if (revision <= this.applied) return;
    this.applied = revision;
    if (this.waiters.length === 0) return;
    const done = this.waiters.filter((w) => w.revision <= revision);
    this.waiters = this.waiters.filter((w) => w.revision > revision);
    for (const w of done) w.resolve();
  }
}

/** Cancels a watch; with etcd unreachable the client would wait for the stream to come back, so not for long. */
async function cancel(watcher: Watcher | undefined): Promise<void> {
  if (!watcher) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([watcher.cancel().catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, 1000)))]);
  clearTimeout(timer);
}
