// bench:idle-fleet — one real coordinator (SQLite store in a temp dir) with a
// connected fleet of simulated agents (forked simulator processes, real gRPC)
// heartbeating at the coordinator's default interval, and nothing moving.
//  1. lock latency at rest: Acquire p50/p99 with --lock-nodes agents connected;
//  2. the fleet grown to --nodes agents: the coordinator's CPU (% of one core)
//     over --window-s seconds and its RSS.
//
//   npm run bench:idle-fleet -- [--nodes 10000] [--lock-nodes 1000] [--window-s 60] [--samples 500]
//
// Last line: key=value figures.
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { listAllNodes } from '../common/api/list-nodes.js';
import { hostpilotProto } from '../common/proto.js';
import type { ListNodesReply__Output } from '../proto/generated/hostpilot/v1/ListNodesReply.js';
import { sampleAcquire } from './sim/acquire.js';
import { int } from './sim/args.js';
import { startBenchCoordinator } from './sim/coordinator.js';
import type { SimOptions } from './sim/fleet-sim.js';
import { cpuSeconds, loadAverage, peakRssMb, rssMb } from './sim/proc.js';
import { simNodes } from './sim/run.js';
import { percentile } from './sim/schedule.js';
import { WorkerHost, type SimHost } from './sim/worker-host.js';

const USAGE = `Usage: npm run bench:idle-fleet -- [options]
  --nodes N          agents connected for the CPU and memory figures [10000]
  --lock-nodes N     agents connected while Acquire latency is measured [1000]
  --window-s S       CPU measured over this long, after one heartbeat interval [60]
  --samples N        Acquire calls [500]
  --nodes-per-conn K simulated agents sharing one gRPC connection [20]
  --keep             keep the temp dir (coordinator log and store)
`;

/** The coordinator's default --heartbeat-interval: the bench leaves it as shipped. */
const HEARTBEAT_MS = 10_000;
const NODES_PER_WORKER = 2500;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number) => Math.round(x * 100) / 100;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      nodes: { type: 'string' },
      'lock-nodes': { type: 'string' },
      'window-s': { type: 'string' },
      samples: { type: 'string' },
      'nodes-per-conn': { type: 'string' },
      keep: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const total = int(values, 'nodes', 10_000, 1);
  const lockNodes = Math.min(total, int(values, 'lock-nodes', 1000, 1));
  const windowS = int(values, 'window-s', 60, 1);
  const samples = int(values, 'samples', 500, 1);
  const say = (line: string) => process.stderr.write(`bench:idle-fleet: ${line}\n`);

  const coordinator = await startBenchCoordinator('idle-fleet', ['--group', 'default=1']);
  const proto = hostpilotProto().hostpilot.v1;
  const admin = { 'grpc.primary_user_agent': 'hostpilot-idle-admin', 'grpc.max_receive_message_length': 256 * 1024 * 1024 };
  const locks = new proto.Locks(coordinator.address, grpc.credentials.createInsecure(), admin);
  const fleet = new proto.Fleet(coordinator.address, grpc.credentials.createInsecure(), admin);
  // Every page (a ListNodes reply holds at most 1,000 nodes).
  const connected = async () =>
    (
      await listAllNodes(
        (req) => new Promise<ListNodesReply__Output>((resolve, reject) => fleet.ListNodes(req, { deadline: new Date(Date.now() + 60_000) }, (err, r?: ListNodesReply__Output) => (err ? reject(err) : resolve(r!)))),
      )
    ).filter((n) => n.connected).length;
  const options: SimOptions = {
    addresses: [coordinator.address],
    poolLabel: 'pool',
    lockGroup: 'default',
    rebootMs: 1000,
    lockRetryMs: 1000,
    nodesPerChannel: int(values, 'nodes-per-conn', 20, 1),
    registerConcurrency: 64,
    initialVersion: '1',
  };
  const all = simNodes(total, 10, 1);
  const hosts: SimHost[] = [];
  const bringUp = async (from: number, to: number) => {
    const added: SimHost[] = [];
    for (let i = from; i < to; i += NODES_PER_WORKER) added.push(new WorkerHost(all.slice(i, Math.min(to, i + NODES_PER_WORKER)), options, '1'));
    hosts.push(...added);
    // One simulator process at a time: thousands of agents registering at once on a
    // loaded 2-core machine made Register calls wait past their deadline for a connection.
    for (const h of added) await h.start();
    for (;;) {
      const n = await connected();
      if (n >= to) return;
      await sleep(500);
    }
  };
  const figures: Record<string, string | number> = {};
  try {
    say(`coordinator pid ${coordinator.pid} on ${coordinator.address}; load average ${loadAverage()}`);
    await bringUp(0, lockNodes);
    say(`${lockNodes} agents connected; one heartbeat interval to settle`);
    await sleep(HEARTBEAT_MS);
    await sampleAcquire(locks, 20);
    const rest = await sampleAcquire(locks, samples);
    figures.lock_nodes = lockNodes;
    figures.acquire_p50_ms = round(percentile(rest.ms, 50));
    figures.acquire_p99_ms = round(percentile(rest.ms, 99));
    figures.acquire_deadline_misses = rest.misses;
    figures.lock_load_avg = loadAverage();
    say(`lock latency at rest: p50 ${figures.acquire_p50_ms} ms, p99 ${figures.acquire_p99_ms} ms; load average ${loadAverage()}`);

    const t0 = performance.now();
    await bringUp(lockNodes, total);
    say(`${total} agents connected in ${((performance.now() - t0) / 1000).toFixed(1)} s over ${hosts.length} simulator process(es); one heartbeat interval to settle`);
    await sleep(HEARTBEAT_MS);
    const cpu0 = cpuSeconds(coordinator.pid);
    const sent0 = hosts.reduce((s, h) => s + h.progress().reportsSent, 0);
    const w0 = performance.now();
    await sleep(windowS * 1000);
    const seconds = (performance.now() - w0) / 1000;
    const cpu = cpuSeconds(coordinator.pid) - cpu0;
    const sent = hosts.reduce((s, h) => s + h.progress().reportsSent, 0) - sent0;
    figures.nodes = total;
    figures.connected = await connected();
    figures.window_s = round(seconds);
    figures.reports_per_s = Math.round(sent / seconds);
    figures.coordinator_cpu_pct = round((cpu / seconds) * 100);
    figures.coordinator_rss_mb = Math.round(rssMb(coordinator.pid));
    figures.coordinator_peak_rss_mb = Math.round(peakRssMb(coordinator.pid));
    figures.load_avg = loadAverage();
    say(`idle: ${figures.coordinator_cpu_pct} % of a core, RSS ${figures.coordinator_rss_mb} MB (peak ${figures.coordinator_peak_rss_mb} MB), ${figures.reports_per_s} reports/s`);
    process.stdout.write(`${Object.entries(figures).map(([k, v]) => `${k}=${v}`).join(' ')}\n`);
    return figures.connected === total ? 0 : 1;
  } finally {
    await Promise.all(hosts.map((h) => h.stop().catch(() => undefined)));
    locks.close();
    fleet.close();
    await coordinator.stop(values.keep);
    if (values.keep) say(`kept ${coordinator.dir}`);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench:idle-fleet: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
