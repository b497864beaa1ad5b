// Writes to different keys committed together: the compare-and-write
// transactions that a replica's writes need in one event-loop turn (nodes
// registering, a rollout's node keys, lock groups) go to etcd as one
// transaction holding every comparison and every write, instead of one round
// trip and one raft entry each. The combined transaction commits all of them
// or none: when any comparison fails, each part learns its key's current
// value and is tried again alone, so one contended key never holds the others
// back twice. Each key has at most one transaction in flight (the store's
// per-key queue), so a combined transaction never names a key twice.
import type { Etcd3, IKeyValue, ITxnResponse } from 'etcd3';
import type { Fence } from './etcd.js';

type Namespace = ReturnType<Etcd3['namespace']>;

/** etcd's default --max-txn-ops is 128: parts (and a fence) per transaction stay below it. */
const MAX_PARTS = 100;

export interface TxnPart {
  key: string;
  /** Mod revision the write was decided on; '0': the key was absent. */
  rev: string;
  /** The value to write, null to delete, undefined to write nothing (a decision confirmed as is). */
  write: string | null | undefined;
  fence: Fence | undefined;
  /** Not combined with others (after a combined try failed). */
  alone: boolean;
}

export type TxnOutcome =
  | { succeeded: true; revision: string }
  | { succeeded: false; current: IKeyValue | undefined; fenceRevision: string | undefined };

type Rpc = (deadline: number, call: (options: { deadline: number }) => Promise<ITxnResponse>) => Promise<ITxnResponse>;

interface Queued {
  part: TxnPart;
  deadline: number;
  resolve: (outcome: TxnOutcome) => void;
  reject: (error: unknown) => void;
}

export class TxnCombiner {
  private queue: Queued[] = [];
  private scheduled = false;

  constructor(
    private readonly ns: Namespace,
    private readonly rpc: Rpc,
  ) {}

  submit(part: TxnPart, deadline: number): Promise<TxnOutcome> {
    return new Promise<TxnOutcome>((resolve, reject) => {
      const entry = { part, deadline, resolve, reject };
      if (part.alone) {
        void this.run([entry]);
        return;
      }
      this.queue.push(entry);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const queue = this.queue;
    this.queue = [];
    for (let i = 0; i < queue.length; i += MAX_PARTS) void this.run(queue.slice(i, i + MAX_PARTS));
  }

  private async run(entries: Queued[]): Promise<void> {
    const first = entries[0]!.part;
    const txn = this.compare(undefined, first);
    for (const { part } of entries.slice(1)) this.compare(txn, part);
    const fences = [...new Map(entries.flatMap(({ part }) => (part.fence ? [[part.fence.key, part.fence] as const] : []))).values()];
    for (const fence of fences) txn.and(fence.key, 'Create', '==', fence.revision);
    // then() and else() replace what an earlier call gave: every operation in one call.
    const writes: Array<ReturnType<Namespace['put']> | ReturnType<Namespace['delete']>> = [];
    for (const { part } of entries) {
      if (part.write === null) writes.push(this.ns.delete().key(part.key));
      else if (part.write !== undefined) writes.push(this.ns.put(part.key).value(part.write));
    }
    if (writes.length > 0) txn.then(...writes);
    txn.else(...entries.map(({ part }) => this.ns.get(part.key)), ...fences.map((f) => this.ns.get(f.key)));
    try {
      const res = await this.rpc(Math.max(...entries.map((e) => e.deadline)), (options) => txn.options(options).commit());
      entries.forEach(({ part, resolve }, i) => {
        if (res.succeeded) return resolve({ succeeded: true, revision: res.header.revision });
        const fenceAt = part.fence ? fences.findIndex((f) => f.key === part.fence!.key) : -1;
        resolve({
          succeeded: false,
          current: res.responses[i]?.response_range?.kvs[0],
          fenceRevision: fenceAt < 0 ? undefined : res.responses[entries.length + fenceAt]?.response_range?.kvs[0]?.create_revision,
        });
      });
    } catch (error) {
      for (const { reject } of entries) reject(error);
    }
  }

  private compare(txn: ReturnType<Namespace['if']> | undefined, part: TxnPart): ReturnType<Namespace['if']> {
    const [column, value] = part.rev === '0' ? (['Create', 0] as const) : (['Mod', part.rev] as const);
    if (!txn) return this.ns.if(part.key, column, '==', value);
    return txn.and(part.key, column, '==', value);
  }
}
