// bench:fleet — one real coordinator (node dist/coordinator/main.js, SQLite
// store in a temp dir, loopback ports) and N simulated agents over real gRPC
// in forked simulator processes; one rollout across the fleet. Reports the
// rollout's completion time against the ideal schedule, lock latencies, the
// coordinator's CPU and peak memory and the report-stream message rate, and
// fails on any breach of the budget invariant, checked all along the run.
//
//   npm run bench:fleet -- --nodes 1000 [--reboot-ms 2000] [--slots S] [--max-unavailable X]
//                          [--strategy by-label:rack|size:N|percent:P] [--racks 10] [--pools 1]
//
// The ideal schedule (bench/sim/schedule.ts): waves × reboot + (buckets − 1) × settle, where
// a bucket of n nodes of one pool takes ceil(n / min(budget, slots)) waves.
// Last line: key=value figures.
import { parseArgs } from 'node:util';
import { int } from './sim/args.js';
import { startBenchCoordinator } from './sim/coordinator.js';
import { loadAverage } from './sim/proc.js';
import { runFleetRollout } from './sim/run.js';

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
  --store-dir DIR           where the temp dir (SQLite store, log) goes [os.tmpdir()];
                           /dev/shm takes the disk's fsync out of the figures (a diagnostic)
  --keep                   keep the temp dir (coordinator log and store)
`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
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
      'store-dir': { type: 'string' },
      keep: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const nodes = int(values, 'nodes', 1000, 1);
  const slots = int(values, 'slots', Math.max(1, Math.round(nodes / 50)), 1);
  const heartbeatMs = int(values, 'heartbeat-ms', 5000, 100);
  const rolloutIntervalMs = int(values, 'rollout-interval-ms', 100, 100);
  const opts = {
    nodes,
    slots,
    rebootMs: int(values, 'reboot-ms', 2000),
    maxUnavailable: values['max-unavailable'] ?? String(slots),
    strategy: values.strategy ?? 'by-label:rack',
    racks: int(values, 'racks', 10, 1),
    pools: int(values, 'pools', 1, 1),
    settleMs: int(values, 'settle-ms', 1000),
    lockRetryMs: int(values, 'lock-retry-ms', 250, 1),
    nodesPerChannel: int(values, 'nodes-per-conn', 20, 1),
    workers: int(values, 'workers', Math.min(4, Math.ceil(nodes / 2500)), 1),
    pollMs: int(values, 'poll-ms', Math.max(200, Math.round(nodes / 4)), 50),
    timeoutMs: int(values, 'timeout-s', 1800, 1) * 1000,
  };

  const coordinator = await startBenchCoordinator('fleet', ['--group', `default=${slots}`, '--heartbeat-interval', `${heartbeatMs}ms`, '--rollout-interval', `${rolloutIntervalMs}ms`], values['store-dir']);
  const { address, dir } = coordinator;
  const say = (line: string) => process.stderr.write(`bench:fleet: ${line}\n`);
  try {
    say(`coordinator pid ${coordinator.pid} on ${address}, store and log in ${dir}; load average ${loadAverage()}`);
    const result = await runFleetRollout({ address, coordinatorPid: coordinator.pid, ...opts, log: say });
    for (const v of result.violations.slice(0, 20)) say(`VIOLATION ${v}`);
    for (const e of result.errors.slice(0, 20)) say(`simulator error: ${e}`);
    if (result.failure) say(`FAILED: ${result.failure}`);
    const ok = result.completed && !result.failure && result.violations.length === 0 && result.errors.length === 0;
    const figures = { ...result.figures, sim_errors: result.errors.length, load_avg: loadAverage(), ok: ok ? 1 : 0 };
    process.stdout.write(`${Object.entries(figures).map(([k, v]) => `${k}=${v}`).join(' ')}\n`);
    return ok ? 0 : 1;
  } finally {
    await coordinator.stop(values.keep);
    if (values.keep) say(`kept ${dir}`);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench:fleet: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
