// The highly available store: every coordinator replica talks to the same
// etcd cluster, all keys under one prefix (default /hostpilot/).
//
// `update` is optimistic concurrency: read the key with its mod revision, apply
// the pure function, then commit an etcd transaction that compares the
// revision it read (create revision 0 for an absent key). If another replica
// wrote in between, the transaction's else branch returns the fresh value and
// the function is re-run on it, a bounded number of times. A small per-key
// cache of the last value and revision seen saves the read on the fast path;
// it is only a guess for the comparison, never an answer: a decision (even a
// no-op such as a re-entrant acquire) is returned only after a transaction
// confirmed that the revision it was computed from is still the current one.
//
// Writes to one key from one replica queue and are committed together (group
// commit, see drain), so concurrent requests in a replica do not fight each
// other in etcd; only replicas race, and a short pause after each commit keeps
// that race fair.
//
// Leader fencing: while a replica leads, its writes to the leader-only keys
// (setFence) also compare the create revision of the leader key it was
// elected with. A replica that lost its lease mid-write (the key is gone, or
// belongs to the next leader's lease) cannot change a rollout any more: the
// transaction is refused and the caller sees FencedError (unavailable).
//
// Every etcd call has a deadline and every store operation an overall one, so
// an unreachable etcd turns into an UnavailableError quickly and a lock request
// never hangs. The gRPC channel reconnects on its own (short backoff), so the
// store recovers when etcd comes back, without a restart.
import { Etcd3, Range, isRecoverableError, type IOptions } from 'etcd3';
import { UnavailableError, errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import { EtcdFollowing } from './etcd-follow.js';
import { TxnCombiner } from './etcd-txn.js';
import type { FollowSink, Following } from './follow.js';
import { checkKey, type Store, type StoreEntry, type UpdateOutcome } from './store.js';

export const DEFAULT_ETCD_PREFIX = '/hostpilot/';

/** The update could not commit after its attempts: too much contention on one key. Retrying later may work. */
export class StoreConflictError extends UnavailableError {
  constructor(key: string, attempts: number) {
    super(`store etcd: ${key}: gave up after ${attempts} conflicting transactions (heavy contention); retry later`);
  }
}

/** A write refused because the leadership it was made under has ended. */
export class FencedError extends UnavailableError {
  constructor(key: string, fence: Fence) {
    super(`store etcd: ${key}: not written: the leadership it was made under has ended (leader key ${fence.key} revision ${fence.revision} is gone); another replica leads`);
  }
}

/** The leadership term a leader's writes depend on: its election key (relative to the store prefix) and that key's create revision. */
export interface Fence {
  key: string;
  revision: string;
}

export interface EtcdTlsFiles {
  /** PEM contents, already read. */
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

export interface EtcdStoreOptions {
  /** http(s)://host:port URLs of the etcd members. */
  endpoints: readonly string[];
  prefix?: string;
  tls?: EtcdTlsFiles;
  /** Deadline of one etcd call. */
  callTimeoutMs?: number;
  /** Deadline of one store operation, including queueing and conflict retries. */
  opTimeoutMs?: number;
  /** Transactions `update` tries before StoreConflictError. */
  maxAttempts?: number;
  /** Keys per etcd range request in `list`. */
  listPageSize?: number;
}

type FaultPolicy = NonNullable<NonNullable<IOptions['faultHandling']>['global']>;
type PolicyContext = Parameters<Parameters<FaultPolicy['execute']>[0]>[0];

/** A cockatiel-shaped policy: try each call up to `attempts` times while the error is a connection error. */
function retryPolicy(attempts: number): FaultPolicy {
  const policy = {
    async execute<T>(fn: (context: PolicyContext) => PromiseLike<T> | T, signal?: AbortSignal): Promise<T> {
      let last: unknown;
      for (let attempt = 0; attempt < attempts; attempt++) {
        try {
          return await fn({ signal: signal ?? new AbortController().signal } as PolicyContext);
        } catch (err) {
          if (!(err instanceof Error) || !isRecoverableError(err)) throw err;
          last = err;
        }
      }
      throw last;
    },
  };
  // The client only ever calls execute(); the rest of cockatiel's IPolicy is unused.
  return policy as unknown as FaultPolicy;
}

interface Seen {
  /** The JSON text, or undefined when the key is absent. */
  raw: string | undefined;
  /** Mod revision of the key, '0' when absent (compared as create revision 0). */
  rev: string;
}

export interface EtcdClientOptions {
  endpoints: readonly string[];
  tls?: EtcdTlsFiles;
  callTimeoutMs?: number;
}

/** An etcd client with hostpilot's connection settings (shared by the store and leader election). */
export function createEtcdClient(options: EtcdClientOptions): Etcd3 {
  const callTimeoutMs = options.callTimeoutMs ?? 2000;
  const tls = options.tls;
  const noPolicy = retryPolicy(1);
  return new Etcd3({
    hosts: [...options.endpoints],
    ...(tls && (tls.ca || tls.cert)
      ? { credentials: { rootCertificate: tls.ca as Buffer, ...(tls.key ? { privateKey: tls.key } : {}), ...(tls.cert ? { certChain: tls.cert } : {}) } }
      : {}),
    dialTimeout: callTimeoutMs,
    // Backstop for calls that do not set their own deadline (streams excepted).
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + callTimeoutMs }),
    // No circuit breaker (it would keep failing for seconds after etcd is back);
    // a failed call moves on to the next member, once per member.
    faultHandling: { host: () => noPolicy, global: retryPolicy(options.endpoints.length) },
    grpcOptions: {
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 1000,
      'grpc.keepalive_time_ms': 10_000,
      'grpc.keepalive_timeout_ms': callTimeoutMs,
    },
  });
}

const ABSENT: Seen = { raw: undefined, rev: '0' };
const CACHE_LIMIT = 10_000;
/** Writes committed together at most. */
const MAX_BATCH = 256;
/** Pause between two batches on one key (see drain). */
const LINGER_MS = 2;

type Settlement = { value: unknown } | { error: unknown };

interface PendingWrite {
  fn: (current: unknown) => UpdateOutcome<unknown, unknown>;
  /** Unix ms after which this write is answered UnavailableError. */
  deadline: number;
  settled: boolean;
  timer: NodeJS.Timeout;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

function settle(write: PendingWrite, outcome: Settlement): void {
  if (write.settled) return;
  write.settled = true;
  clearTimeout(write.timer);
  if ('error' in outcome) write.reject(outcome.error);
  else write.resolve(outcome.value);
}

export class EtcdStore implements Store {
  readonly kind = 'etcd' as const;
  readonly prefix: string;
  private readonly client: Etcd3;
  private readonly ns: ReturnType<Etcd3['namespace']>;
  private readonly callTimeoutMs: number;
  private readonly opTimeoutMs: number;
  private readonly maxAttempts: number;
  private readonly listPageSize: number;
  private readonly cache = new Map<string, Seen>();
  private readonly txns: TxnCombiner;
  private readonly pending = new Map<string, PendingWrite[]>();
  private readonly draining = new Set<string>();
  private closed = false;
  private fence: { prefixes: readonly string[]; term: Fence } | undefined;
  /** Committed update transactions and those that lost to a concurrent write (for benchmarks and debugging). */
  readonly stats = { commits: 0, conflicts: 0 };

  constructor(readonly options: EtcdStoreOptions) {
    if (options.endpoints.length === 0) throw new Error('EtcdStore: no endpoints');
    this.prefix = options.prefix ?? DEFAULT_ETCD_PREFIX;
    this.callTimeoutMs = options.callTimeoutMs ?? 2000;
    this.opTimeoutMs = options.opTimeoutMs ?? 5000;
    this.maxAttempts = options.maxAttempts ?? 64;
    this.listPageSize = options.listPageSize ?? 500;
    this.client = createEtcdClient(options);
    this.ns = this.client.namespace(this.prefix);
    this.txns = new TxnCombiner(this.ns, (deadline, call) => this.rpc(deadline, call));
  }

  async get<T>(key: string): Promise<T | undefined> {
    checkKey(key);
    return this.op(`get ${key}`, async (deadline) => {
      const seen = await this.read(key, deadline);
      return seen.raw === undefined ? undefined : (JSON.parse(seen.raw) as T);
    });
  }

  async list<T>(prefix: string): Promise<StoreEntry<T>[]> {
    return (await this.listAt<T>(prefix)).entries;
  }

  /**
   * Every key under `prefix` and the revision they were read at. Page by page
   * (range with a limit, going on after the last key), every page at the first
   * page's revision, so no single answer grows with the prefix (a gRPC reply
   * is capped at 4 MiB) and the whole is one consistent snapshot. Each page
   * has the operation's deadline: a long list is slow, not stuck.
   */
  async listAt<T>(prefix: string): Promise<{ entries: StoreEntry<T>[]; revision: string }> {
    const { start: first, end } = Range.prefix(prefix);
    let start = first;
    let revision: string | undefined;
    const entries: StoreEntry<T>[] = [];
    for (;;) {
      const from = start;
      const at = revision;
      const res = await this.op(`list ${prefix}`, (deadline) =>
        this.rpc(deadline, (options) => {
          const range = this.ns.getAll().inRange({ start: from, end }).sort('Key', 'Ascend').limit(this.listPageSize);
          return (at === undefined ? range : range.revision(at)).options(options).exec();
        }),
      );
      revision ??= res.header.revision;
      for (const kv of res.kvs) entries.push({ key: kv.key.toString(), value: JSON.parse(kv.value.toString()) as T });
      const last = res.kvs.at(-1);
      if (!res.more || !last) return { entries, revision };
      start = Buffer.concat([last.key, Buffer.from([0])]);
    }
  }

  /** Lists `prefix` into `sink`, then passes it every change as it commits (see etcd-follow.ts). */
  async follow(prefix: string, sink: FollowSink, log: Logger): Promise<Following> {
    if (this.closed) throw new UnavailableError('store etcd: closed');
    const following = new EtcdFollowing(prefix, sink, { ns: this.ns, listAt: (p) => this.listAt(p), timeoutMs: this.opTimeoutMs, log });
    await following.start();
    return following;
  }

  async put<T>(key: string, value: T): Promise<void> {
    // Serialised now: what is written is the value as it was at the call.
    const raw = JSON.stringify(value);
    return this.update<T, void>(key, () => ({ next: JSON.parse(raw) as T, result: undefined }));
  }

  async delete(key: string): Promise<void> {
    return this.update<unknown, void>(key, () => ({ next: null, result: undefined }));
  }

  async update<T, R>(key: string, fn: (current: T | undefined) => UpdateOutcome<T, R>): Promise<R> {
    checkKey(key);
    if (this.closed) throw new UnavailableError('store etcd: closed');
    return new Promise<R>((resolve, reject) => {
      const write: PendingWrite = {
        fn: fn as PendingWrite['fn'],
        deadline: Date.now() + this.opTimeoutMs,
        settled: false,
        timer: setTimeout(() => settle(write, { error: new UnavailableError(`store etcd: update ${key}: no answer within ${this.opTimeoutMs} ms`) }), this.opTimeoutMs),
        resolve: resolve as (value: unknown) => void,
        reject,
      };
      const queue = this.pending.get(key);
      if (queue) queue.push(write);
      else this.pending.set(key, [write]);
      if (!this.draining.has(key)) void this.drain(key);
    });
  }

  /**
   * From now on, writes to keys under `prefixes` commit only while `term`'s
   * leader key still exists with its create revision. Set when this replica
   * starts acting as leader, cleared (clearFence) only after its leader-only
   * work has stopped, so writes still in flight stay fenced.
   */
  setFence(prefixes: readonly string[], term: Fence): void {
    this.fence = { prefixes, term };
  }

  /** Ends fencing by `term`, unless a later term has replaced it meanwhile. */
  clearFence(term: Fence): void {
    if (this.fence?.term === term) this.fence = undefined;
  }

  private fenceFor(key: string): Fence | undefined {
    const fence = this.fence;
    return fence && fence.prefixes.some((p) => key.startsWith(p)) ? fence.term : undefined;
  }

  async ready(): Promise<boolean> {
    if (this.closed) return false;
    try {
      // A write: etcd out of space (its NOSPACE alarm) still answers reads but takes no write.
      await this.rpc(Date.now() + this.callTimeoutMs, (options) => this.ns.put('ready').value(String(Date.now())).options(options).exec(), false);
      return true;
    } catch {
      return false;
    }
  }

  async answers(): Promise<boolean> {
    if (this.closed) return false;
    try {
      // A linearizable read: answered only when the cluster has a quorum.
      await this.rpc(Date.now() + this.callTimeoutMs, (options) => this.ns.get('ready').options(options).exec(), false);
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.client.close();
  }

  /**
   * Group commit: the writes queued on one key in this replica are applied in
   * order to the value read and committed as one transaction. A conflict re-runs
   * them all on the fresh value, so their results always match the state they
   * were committed on, exactly as if they had run one after another.
   */
  private async drain(key: string): Promise<void> {
    this.draining.add(key);
    try {
      for (;;) {
        const queue = this.pending.get(key);
        if (!queue || queue.length === 0) break;
        const batch = queue.splice(0, MAX_BATCH).filter((w) => !w.settled);
        if (batch.length === 0) continue;
        await this.commitBatch(key, batch);
        // Fairness between replicas: the replica that just committed has its next batch
        // ready at once and would win the next round again and again, starving the
        // others into StoreConflictError. Pausing briefly before its next batch lets a
        // replica that just lost go first (and lets this replica's batch grow).
        if ((this.pending.get(key)?.length ?? 0) > 0) await sleep(LINGER_MS);
      }
    } finally {
      this.pending.delete(key);
      this.draining.delete(key);
    }
  }

  private async commitBatch(key: string, batch: PendingWrite[]): Promise<void> {
    const deadline = Math.max(...batch.map((w) => w.deadline));
    let fence: Fence | null | undefined;
    try {
      // A key not in the cache is guessed absent instead of read first: a new key (a node
      // registering) commits in one round trip, and an existing one costs the same two as
      // a read would (the failed comparison returns the stored value).
      const cached = this.cache.get(key);
      let seen = cached ?? ABSENT;
      let alone = false;
      for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
        const live = batch.filter((w) => !w.settled);
        if (live.length === 0) return;
        let raw = seen.raw;
        const outcomes = live.map((w): Settlement => {
          try {
            const outcome = w.fn(raw === undefined ? undefined : JSON.parse(raw));
            if (outcome.next !== undefined) raw = outcome.next === null ? undefined : JSON.stringify(outcome.next);
            return { value: outcome.result };
          } catch (error) {
            return { error };
          }
        });
        // Fixed for the whole batch: a retry after a conflict stays under the term the batch began in.
        fence ??= this.fenceFor(key) ?? null;
        this.cache.delete(key);
        const res = await this.txns.submit({ key, rev: seen.rev, write: raw === seen.raw ? undefined : (raw ?? null), fence: fence ?? undefined, alone }, deadline);
        if (res.succeeded) {
          this.stats.commits++;
          this.remember(key, raw === seen.raw ? seen : raw === undefined ? ABSENT : { raw, rev: res.revision });
          live.forEach((w, i) => settle(w, outcomes[i]!));
          return;
        }
        if (fence && res.fenceRevision !== fence.revision) throw new FencedError(key, fence);
        const kv = res.current;
        const current = kv ? { raw: kv.value.toString(), rev: kv.mod_revision } : ABSENT;
        // A wrong guess of an uncached key, or another key's comparison failing the combined
        // transaction, is no conflict with another writer.
        if (current.rev !== seen.rev && (cached || attempt > 1)) this.stats.conflicts++;
        // Alone from now on: a contended key in a combined transaction must not fail it again.
        alone = true;
        seen = current;
        this.remember(key, seen);
        // Another replica won this round. Retry at once with the value it wrote: the
        // winner learns the new revision no sooner than we do, so the next round is a
        // fair race (backing off here would only let the winner win again and again).
      }
      throw new StoreConflictError(key, this.maxAttempts);
    } catch (error) {
      // Etcd failed (already an UnavailableError) or the attempts ran out: nobody in the batch got an answer.
      for (const w of batch) settle(w, { error });
    }
  }

  private async read(key: string, deadline: number): Promise<Seen> {
    const res = await this.rpc(deadline, (options) => this.ns.get(key).options(options).exec());
    const kv = res.kvs[0];
    const seen = kv ? { raw: kv.value.toString(), rev: kv.mod_revision } : ABSENT;
    this.remember(key, seen);
    return seen;
  }

  private remember(key: string, seen: Seen): void {
    this.cache.delete(key);
    // The oldest entry goes (a Map keeps insertion order): a fleet larger than the cache keeps its recent keys.
    if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(key, seen);
  }

  /**
   * One etcd call, each try bounded by the call deadline, all of them by the
   * operation's. Connection errors and timeouts are retried (on the next
   * member) until the operation's deadline, which rides out an etcd leader
   * election; any failure that remains becomes UnavailableError. A retried
   * transaction is safe: its compare fails if the first try did commit, and
   * the batch is re-decided on what is stored.
   */
  private async rpc<T>(opDeadline: number, call: (options: { deadline: number }) => Promise<T>, retry = true): Promise<T> {
    let last: UnavailableError | undefined;
    for (let attempt = 0; ; attempt++) {
      if (this.closed) throw new UnavailableError('store etcd: closed');
      const now = Date.now();
      if (now >= opDeadline) throw last ?? new UnavailableError(`store etcd: no answer within ${this.opTimeoutMs} ms`);
      try {
        return await call({ deadline: Math.min(now + this.callTimeoutMs, opDeadline) });
      } catch (err) {
        last = new UnavailableError(`store etcd (${this.options.endpoints.join(',')}): ${errorMessage(err)}`, { cause: err });
        if (!retry || !(err instanceof Error) || !isRecoverableError(err)) throw last;
      }
      await sleep(Math.min(50 * 2 ** attempt, 500, Math.max(0, opDeadline - Date.now())));
    }
  }

  /** Runs one store operation under an overall deadline; errors other than ours become UnavailableError. */
  private op<T>(what: string, body: (deadline: number) => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.opTimeoutMs;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new UnavailableError(`store etcd: ${what}: no answer within ${this.opTimeoutMs} ms`)), this.opTimeoutMs);
      body(deadline).then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (err: unknown) => {
          clearTimeout(timer);
          // Etcd failures are already UnavailableError (rpc); anything else (fn threw, bad JSON) passes through.
          reject(err);
        },
      );
    });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

EtcdStore satisfies new (options: EtcdStoreOptions) => Store;
