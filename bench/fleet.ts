// bench:fleet — real coordinators (node dist/coordinator/main.js on loopback
// ports: one on a temp SQLite store, or R replicas on a throw-away etcd) and N
// simulated agents over real gRPC in forked simulator processes; one rollout
// across the fleet. Reports the rollout's completion time against the ideal
// schedule, lock latencies, the coordinators' (and etcd's) CPU and peak memory
// and the report-stream message rate, and fails on any breach of the budget
// invariant, checked all along the run. --compare runs SQLite and then etcd
// with the same shape and prints both on one line.
//
//   npm run bench:fleet -- --nodes 1000 [--store sqlite|etcd] [--replicas R] [--compare]
//                          [--reboot-ms 2000] [--slots S] [--max-unavailable X]
//                          [--strategy by-label:rack|size:N|percent:P] [--racks 10] [--pools 1]
//
// The ideal schedule (bench/sim/schedule.ts): waves × reboot + (buckets − 1) × settle, where
// a bucket of n nodes of one pool takes ceil(n / min(budget, slots)) waves.
// Last line: key=value figures.
import { UsageError, parseFlags, stringFlag } from '../common/cli.js';
import { int } from './sim/args.js';
import { startFleetStore, type FleetStore } from './sim/fleet-store.js';
import { loadAverage } from './sim/proc.js';
import { runFleetRollout, type FleetRunOptions } from './sim/run.js';
import { compareFigures, figuresLine, parseStoreRuns, type StoreRun } from './sim/store-runs.js';

const USAGE = `Usage: npm run bench:fleet -- [options]
  --nodes N                simulated agents [1000]
  --reboot-ms MS           how long a simulated reboot takes [2000]
  --slots S                reboot-lock slots of group default [max(1, round(N/50))]
  --max-unavailable X      the rollout's budget per pool, N or P% [= slots]
  --strategy S             by-label:rack | size:N | percent:P [by-label:rack]
  --racks R                rack labels, nodes spread evenly [10]
  --pools P                pool labels, nodes spread evenly [1]
  --settle-ms MS           settle time after each bucket [1000]
  --heartbeat-ms MS        coordinator --heartbeat-interval [5000]
  --rollout-interval-ms MS coordinator --rollout-interval [100]
  --lock-retry-ms MS       wait between Acquire attempts not granted [250]
  --nodes-per-conn K       simulated nodes sharing one gRPC connection [20]
  --workers W              simulator processes [ceil(N/2500), at most 4]
  --poll-ms MS             invariant snapshots (ListNodes + Locks/List) [max(200, N/4)]
  --timeout-s S            give up after [1800]
  --store sqlite|etcd      the coordinators' store: one coordinator on a temp SQLite file, or
                           replicas on a throw-away etcd (/usr/bin/etcd) [sqlite]
  --replicas R             coordinator processes; more than 1 only with etcd [1 sqlite, 3 etcd]
  --compare                run SQLite, then etcd (--replicas of them) with the same shape; the last
                           line holds both runs' figures (sqlite_*, etcd_*) and etcd_over_sqlite
  --store-dir DIR          where the temp dirs (SQLite store, logs) go [os.tmpdir()];
                           /dev/shm takes the disk's fsync out of the figures (a diagnostic)
  --keep                   keep the temp dirs (coordinator logs and store)
`;

type Shape = Omit<FleetRunOptions, 'address' | 'agentAddresses' | 'coordinatorPids' | 'etcdPid' | 'log'>;

const say = (line: string) => process.stderr.write(`bench:fleet: ${line}\n`);

/** The store of the run under way, stopped (replicas, then etcd) if the bench is interrupted. */
let running: FleetStore | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    say(`${signal}: stopping the coordinators${running?.etcd ? ' and etcd' : ''}`);
    void (running?.stop() ?? Promise.resolve()).finally(() => process.exit(1));
  });
}

/** One rollout on one store; its figures (store and replicas first) and whether it passed. */
async function runOnStore(run: StoreRun, shape: Shape, coordinatorArgs: string[], storeDir: string | undefined, keep: boolean): Promise<Record<string, string | number>> {
  const store = await startFleetStore(run, coordinatorArgs, storeDir);
  running = store;
  try {
    const where = store.replicas.map((r) => `pid ${r.pid} on ${r.address} (log ${r.logPath})`).join('; ');
    say(`${run.store}: ${run.replicas} coordinator(s): ${where}${store.etcd ? `; etcd pid ${store.etcd.pid} on ${store.etcd.endpoint}` : ''}; control calls to ${store.control.address}; load average ${loadAverage()}`);
    const result = await runFleetRollout({
      ...shape,
      address: store.control.address,
      agentAddresses: store.replicas.map((r) => r.address),
      coordinatorPids: store.replicas.map((r) => r.pid),
      ...(store.etcd?.pid !== undefined ? { etcdPid: store.etcd.pid } : {}),
      log: (line) => say(`${run.store}: ${line}`),
    });
    for (const v of result.violations.slice(0, 20)) say(`${run.store}: VIOLATION ${v}`);
    for (const e of result.errors.slice(0, 20)) say(`${run.store}: simulator error: ${e}`);
    if (result.failure) say(`${run.store}: FAILED: ${result.failure}`);
    const ok = result.completed && !result.failure && result.violations.length === 0 && result.errors.length === 0;
    return { store: run.store, replicas: run.replicas, ...result.figures, sim_errors: result.errors.length, load_avg: loadAverage(), ok: ok ? 1 : 0 };
  } finally {
    running = undefined;
    await store.stop(keep);
    if (keep) say(`kept ${store.replicas.map((r) => r.dir).join(' ')}`);
  }
}

async function main(): Promise<number> {
  const flags = parseFlags(process.argv.slice(2), {
    nodes: { type: 'string' },
    'reboot-ms': { type: 'string' },
    slots: { type: 'string' },
    'max-unavailable': { type: 'string' },
    strategy: { type: 'string' },
    racks: { type: 'string' },
    pools: { type: 'string' },
    'settle-ms': { type: 'string' },
    'heartbeat-ms': { type: 'string' },
    'rollout-interval-ms': { type: 'string' },
    'lock-retry-ms': { type: 'string' },
    'nodes-per-conn': { type: 'string' },
    workers: { type: 'string' },
    'poll-ms': { type: 'string' },
    'timeout-s': { type: 'string' },
    store: { type: 'string' },
    replicas: { type: 'string' },
    compare: { type: 'boolean' },
    'store-dir': { type: 'string' },
    keep: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  const { values } = flags;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const runs = parseStoreRuns(values);
  const nodes = int(values, 'nodes', 1000, 1);
  const slots = int(values, 'slots', Math.max(1, Math.round(nodes / 50)), 1);
  const heartbeatMs = int(values, 'heartbeat-ms', 5000, 100);
  const rolloutIntervalMs = int(values, 'rollout-interval-ms', 100, 100);
  const shape: Shape = {
    nodes,
    slots,
    rebootMs: int(values, 'reboot-ms', 2000),
    maxUnavailable: stringFlag(flags, 'max-unavailable') ?? String(slots),
    strategy: stringFlag(flags, 'strategy') ?? 'by-label:rack',
    racks: int(values, 'racks', 10, 1),
    pools: int(values, 'pools', 1, 1),
    settleMs: int(values, 'settle-ms', 1000),
    lockRetryMs: int(values, 'lock-retry-ms', 250, 1),
    nodesPerChannel: int(values, 'nodes-per-conn', 20, 1),
    workers: int(values, 'workers', Math.min(4, Math.ceil(nodes / 2500)), 1),
    pollMs: int(values, 'poll-ms', Math.max(200, Math.round(nodes / 4)), 50),
    timeoutMs: int(values, 'timeout-s', 1800, 1) * 1000,
  };
  const coordinatorArgs = ['--group', `default=${slots}`, '--heartbeat-interval', `${heartbeatMs}ms`, '--rollout-interval', `${rolloutIntervalMs}ms`];
  const storeDir = stringFlag(flags, 'store-dir');

  const results: Record<string, string | number>[] = [];
  for (const run of runs) {
    const figures = await runOnStore(run, shape, coordinatorArgs, storeDir, values.keep === true);
    results.push(figures);
    // With --compare each run's own line comes first; the last line is the comparison.
    process.stdout.write(`${figuresLine(figures)}\n`);
  }
  if (runs.length === 2) process.stdout.write(`${figuresLine(compareFigures(results[0]!, results[1]!))}\n`);
  return results.every((f) => f.ok === 1) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench:fleet: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
