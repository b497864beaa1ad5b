// The coordinators bench:fleet runs against: one on a fresh SQLite file, or R
// replicas on a throw-away etcd (Debian's etcd-server), each replica its own
// process with its own log. stop() stops every replica and destroys etcd,
// whatever happened before.
import { existsSync } from 'node:fs';
import { startEtcd, type EtcdServer } from '../etcd-process.js';
import { startBenchCoordinator, type BenchCoordinator } from './coordinator.js';
import type { StoreRun } from './store-runs.js';

const ETCD_BIN = '/usr/bin/etcd';

export interface FleetStore {
  replicas: BenchCoordinator[];
  etcd: EtcdServer | undefined;
  /** The replica that leads (steps rollouts): the bench's own calls go there, so its budget snapshots are the planner's view. */
  control: BenchCoordinator;
  /** Stops every replica, then destroys etcd; keeps the replicas' temp dirs (logs) if asked. */
  stop(keep?: boolean): Promise<void>;
}

export async function startFleetStore(run: StoreRun, args: string[], storeDir: string | undefined): Promise<FleetStore> {
  if (run.store === 'sqlite') {
    const only = await startBenchCoordinator('fleet', args, storeDir);
    return { replicas: [only], etcd: undefined, control: only, stop: (keep) => only.stop(keep) };
  }
  if (!existsSync(ETCD_BIN)) throw new Error(`--store etcd: ${ETCD_BIN} not found (package etcd-server; bash scripts/setup.sh installs it)`);
  const etcd = await startEtcd(ETCD_BIN);
  const replicas: BenchCoordinator[] = [];
  const stop = async (keep = false) => {
    try {
      await Promise.all(replicas.map((r) => r.stop(keep)));
    } finally {
      await etcd.destroy();
    }
  };
  try {
    // One after the other: the first one up takes the leader lease.
    for (let i = 1; i <= run.replicas; i++) replicas.push(await startBenchCoordinator(`fleet-etcd-r${i}`, args, storeDir, `etcd:${etcd.endpoint}`));
    return { replicas, etcd, control: await leaderOf(replicas), stop };
  } catch (err) {
    await stop(true);
    throw err;
  }
}

async function leads(replica: BenchCoordinator): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${replica.httpPort}/metrics`, { signal: AbortSignal.timeout(2000) });
    return /^hostpilot_leader_elected 1$/m.test(await res.text());
  } catch {
    return false;
  }
}

/** The one replica that holds the leader lease (hostpilot_leader_elected 1 on its /metrics). */
async function leaderOf(replicas: BenchCoordinator[]): Promise<BenchCoordinator> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const leaders = (await Promise.all(replicas.map(async (r) => ((await leads(r)) ? r : undefined)))).filter((r) => r !== undefined);
    if (leaders.length === 1) return leaders[0]!;
    if (Date.now() > deadline) throw new Error(`${leaders.length} of ${replicas.length} coordinator replicas lead after 30 s (expected one); logs in ${replicas.map((r) => r.logPath).join(', ')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
