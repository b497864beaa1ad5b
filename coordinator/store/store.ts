// The coordinator's durable state behind one small contract, implemented by
// the embedded SQLite store (default) and the etcd store (highly available).
// Keys are '/'-separated paths ("locks/default", "nodes/n1", "rollouts/r1");
// values are JSON documents.
//
// The one primitive that matters is `update`: an atomic read-modify-write of
// one key. The lock table, node records and rollouts are all pure functions
// applied through it, so two coordinators (or two concurrent requests) can
// never both act on the same state they read: SQLite serialises transactions,
// etcd compares the revision it read and retries.

export interface UpdateOutcome<T, R> {
  /** undefined: leave the key as it is; null: delete it; a value: write it. */
  next?: T | null;
  result: R;
}

export interface StoreEntry<T> {
  key: string;
  value: T;
}

export interface WriteOptions {
  /**
   * 'background': a write nothing waits on at once (a node's report). A store
   * may let foreground writes (locks, rollouts) go first; it is still durable
   * when the promise resolves.
   */
  priority?: 'foreground' | 'background';
}

export interface Store {
  readonly kind: 'sqlite' | 'etcd';
  get<T>(key: string): Promise<T | undefined>;
  /** Every key starting with `prefix`, in key order. */
  list<T>(prefix: string): Promise<StoreEntry<T>[]>;
  put<T>(key: string, value: T): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Atomically applies `fn` to the key's current value. `fn` must be pure and
   * synchronous: a store may call it more than once (on a conflict) and only
   * the last call's outcome is written and returned.
   */
  update<T, R>(key: string, fn: (current: T | undefined) => UpdateOutcome<T, R>, options?: WriteOptions): Promise<R>;
  /** True when the store answers reads and writes now (for /readyz). */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

const KEY = /^[A-Za-z0-9._:-]+(\/[A-Za-z0-9._:-]+)*\/?$/;

/** Keys are built from validated names; this is the last line of defence. */
export function checkKey(key: string): string {
  if (!KEY.test(key) || key.length > 512) throw new Error(`store: invalid key ${JSON.stringify(key)}`);
  return key;
}
