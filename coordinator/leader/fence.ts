// Fences the leader's writes on etcd: while this replica acts as leader, its
// writes to the keys only the leader changes on its own (the rollouts it
// steps) carry the term it was elected with (store/etcd.ts), so an old leader
// that has not yet noticed the loss of its lease cannot change a rollout after
// a new leader took over. A node's desired target, which the leader writes
// after stepping a rollout, needs no fence of its own: it only follows a
// rollout step that committed under the fence, and the next leader writes the
// same. SQLite has one coordinator: nothing to fence.
import type { Store } from '../store/store.js';
import { EtcdStore, type Fence } from '../store/etcd.js';
import type { LeaderElection } from './election.js';
import { EtcdLeaderElection } from './etcd-election.js';

/**
 * Keys the leader alone steps (operators change them too, through any
 * replica): a rollout's head, its per-node states and its bucket parts
 * (coordinator/rollout/layout.ts).
 */
export const LEADER_KEY_PREFIXES: readonly string[] = ['rollouts/', 'rollout-nodes/', 'rollout-buckets/'];

export interface LeaderFence {
  /** The leader task starts: fence its writes with the current term. */
  begin(): void;
  /** The leader task has stopped (nothing of it is in flight): stop fencing. */
  end(): void;
}

export function leaderFence(store: Store, election: LeaderElection): LeaderFence {
  if (!(store instanceof EtcdStore) || !(election instanceof EtcdLeaderElection)) return { begin() {}, end() {} };
  let term: Fence | undefined;
  return {
    begin() {
      // The election reports leadership only once the term is read; a missing one is a term that can never match.
      term = election.fence() ?? { key: 'election/none', revision: '-1' };
      store.setFence(LEADER_KEY_PREFIXES, term);
    },
    end() {
      if (term) store.clearFence(term);
      term = undefined;
    },
  };
}
