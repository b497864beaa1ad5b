// Picks the leader election that fits the store: SQLite → this process is the
// only coordinator and always leads; etcd → campaign with a lease
// (`--leader-lease`, default 10s).
import { hostname } from 'node:os';
import { InvalidArgumentError } from '../../common/errors.js';
import { parseDuration } from '../../common/duration.js';
import type { Logger } from '../../common/log.js';
import { readTls, type StoreSpec } from '../store/open.js';
import type { LeaderElection } from './election.js';
import { EtcdLeaderElection } from './etcd-election.js';
import { SingleLeader } from './single.js';

export const DEFAULT_LEADER_LEASE = '10s';

/** `--leader-lease`: whole seconds (etcd's lease unit), 2s to 5m. Returns seconds. */
export function parseLeaderLease(text: string): number {
  const ms = parseDuration(text, '--leader-lease');
  if (ms % 1000 !== 0 || ms < 2000 || ms > 300_000) {
    throw new InvalidArgumentError('--leader-lease', `${JSON.stringify(text)}: expected whole seconds between 2s and 5m (etcd leases count in seconds)`);
  }
  return ms / 1000;
}

export function defaultReplicaId(): string {
  return `${hostname()}-${process.pid}`;
}

export async function openLeaderElection(
  spec: StoreSpec,
  options: { leaseTtlSeconds: number; log: Logger; id?: string; name?: string },
): Promise<LeaderElection> {
  const id = options.id ?? defaultReplicaId();
  switch (spec.kind) {
    case 'sqlite':
      return new SingleLeader(id);
    case 'etcd': {
      const tls = spec.tls ? await readTls(spec.tls) : undefined;
      return new EtcdLeaderElection({
        endpoints: spec.endpoints,
        prefix: spec.prefix,
        id,
        leaseTtlSeconds: options.leaseTtlSeconds,
        log: options.log,
        ...(options.name ? { name: options.name } : {}),
        ...(tls ? { tls } : {}),
      });
    }
  }
}
