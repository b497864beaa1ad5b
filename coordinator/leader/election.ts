// Which replica runs the rollout controller. Every replica serves locks and
// the fleet API; only the leader drives rollouts. SQLite (one coordinator) is
// always the leader; on etcd the replicas campaign with a lease, and a leader
// that cannot renew its lease stops acting before the lease can run out.

export type LeaderListener = (isLeader: boolean) => void;

export interface LeaderElection {
  /** This replica's identity in the election. */
  readonly id: string;
  /** Whether this replica may act as leader right now. */
  readonly isLeader: boolean;
  /** Starts campaigning (again, after resign); returns at once, leadership is reported through onChange. */
  campaign(): Promise<void>;
  /** Called on every change, never twice in a row with the same value. Returns an unsubscribe function. */
  onChange(listener: LeaderListener): () => void;
  /** The current leader's id, as far as this replica can tell (undefined: none or unknown). */
  leader(): Promise<string | undefined>;
  /** Stops campaigning and gives up leadership at once (another replica can take over). */
  resign(): Promise<void>;
  /** Resigns and frees resources. */
  close(): Promise<void>;
}

/** Keeps the current value and notifies listeners on change; shared by the implementations. */
export class LeaderState {
  private value = false;
  private readonly listeners = new Set<LeaderListener>();

  get isLeader(): boolean {
    return this.value;
  }

  set(isLeader: boolean): void {
    if (isLeader === this.value) return;
    this.value = isLeader;
    for (const listener of [...this.listeners]) listener(isLeader);
  }

  subscribe(listener: LeaderListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
