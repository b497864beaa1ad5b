// Following a key prefix as it changes (the etcd store's watch): how replicas
// keep their view of each other's nodes without listing every node on a timer.
// SQLite has one coordinator and nothing to follow.
import type { StoreEntry } from './store.js';

export interface FollowSink {
  /** Every key under the prefix at one revision: at the start, and again after the watch lost its place (compaction). */
  reset(entries: StoreEntry<unknown>[]): void;
  /** One key changed, in the order etcd committed them; value undefined: deleted. */
  change(key: string, value: unknown): void;
}

export interface Following {
  /** Resolves once every change committed before the call has reached the sink. */
  caughtUp(): Promise<void>;
  /** Re-lists the prefix and follows on from there (what a compaction forces). */
  relist(): Promise<void>;
  close(): Promise<void>;
}
