// bench:idle-fleet — one real coordinator (SQLite store in a temp dir) with a
// connected fleet of simulated agents (forked simulator processes, real gRPC)
// heartbeating at the coordinator's default interval, and nothing moving.
//  1. lock latency at rest: Acquire p50/p99 with --lock-nodes agents connected;
//  2. the fleet grown to --nodes agents: the coordinator's CPU (% of one core)
//     over --window-s seconds and its RSS.
// Both first against the floor (sim/floor-server.ts: the same gRPC services
// doing nothing, in the same run), so the figures read as ratios to what
// grpc-js and this machine cost alone.
//
//   npm run bench:idle-fleet -- [--nodes 10000] [--lock-nodes 1000] [--window-s 60] [--samples 500]
//
// Last line: key=value figures.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { listAllNodes } from '../common/api/list-nodes.js';
import { UsageError, parseFlags } from '../common/cli.js';
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
  --no-floor         skip the floor: the same phases against a gRPC server that does nothing
  --keep             keep the temp dir (coordinator log and store)
`;

/** The coordinator's default --heartbeat-interval: the bench leaves it as shipped. */
const HEARTBEAT_MS = 10_000;
const NODES_PER_WORKER = 2500;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number) => Math.round(x * 100) / 100;

interface Target {
  address: string;
  pid: number;
  /** Agents the server counts as connected; undefined: it keeps no count (the floor), so a started simulator is taken at its word. */
  connected?: () => Promise<number>;
}

interface Phases {
  lockNodes: number;
  total: number;
  windowS: number;
  samples: number;
  nodesPerChannel: number;
  say: (line: string) => void;
}

/** Both phases against one server: Acquire at rest with `lockNodes` agents, then CPU and RSS with `total`. */
async function measure(target: Target, p: Phases): Promise<Record<string, number | string>> {
  const proto = hostpilotProto().hostpilot.v1;
  const admin = { 'grpc.primary_user_agent': 'hostpilot-idle-admin' };
  const locks = new proto.Locks(target.address, grpc.credentials.createInsecure(), admin);
  const options: SimOptions = {
    addresses: [target.address],
    poolLabel: 'pool',
    lockGroup: 'default',
    rebootMs: 1000,
    lockRetryMs: 1000,
    nodesPerChannel: p.nodesPerChannel,
    registerConcurrency: 64,
    initialVersion: '1',
  };
  const all = simNodes(p.total, 10, 1);
  const hosts: SimHost[] = [];
  const bringUp = async (from: number, to: number) => {
    const added: SimHost[] = [];
    for (let i = from; i < to; i += NODES_PER_WORKER) added.push(new WorkerHost(all.slice(i, Math.min(to, i + NODES_PER_WORKER)), options, '1'));
    hosts.push(...added);
    // One simulator process at a time: thousands of agents registering at once on a
    // loaded 2-core machine made Register calls wait past their deadline for a connection.
    for (const h of added) await h.start();
    if (!target.connected) return;
    while ((await target.connected()) < to) await sleep(500);
  };
  const figures: Record<string, string | number> = {};
  try {
    await bringUp(0, p.lockNodes);
    p.say(`${p.lockNodes} agents connected; one heartbeat interval to settle`);
    await sleep(HEARTBEAT_MS);
    await sampleAcquire(locks, 20);
    const rest = await sampleAcquire(locks, p.samples);
    figures.acquire_p50_ms = round(percentile(rest.ms, 50));
    figures.acquire_p99_ms = round(percentile(rest.ms, 99));
    figures.acquire_deadline_misses = rest.misses;
    figures.lock_load_avg = loadAverage();
    p.say(`lock latency at rest: p50 ${figures.acquire_p50_ms} ms, p99 ${figures.acquire_p99_ms} ms; load average ${loadAverage()}`);

    const t0 = performance.now();
    await bringUp(p.lockNodes, p.total);
    p.say(`${p.total} agents connected in ${((performance.now() - t0) / 1000).toFixed(1)} s over ${hosts.length} simulator process(es); one heartbeat interval to settle`);
    await sleep(HEARTBEAT_MS);
    const cpu0 = cpuSeconds(target.pid);
    const sent0 = hosts.reduce((s, h) => s + h.progress().reportsSent, 0);
    const w0 = performance.now();
    await sleep(p.windowS * 1000);
    const seconds = (performance.now() - w0) / 1000;
    const cpu = cpuSeconds(target.pid) - cpu0;
    const sent = hosts.reduce((s, h) => s + h.progress().reportsSent, 0) - sent0;
    figures.connected = target.connected ? await target.connected() : p.total;
    figures.window_s = round(seconds);
    figures.reports_per_s = Math.round(sent / seconds);
    figures.cpu_pct = round((cpu / seconds) * 100);
    figures.rss_mb = Math.round(rssMb(target.pid));
    figures.peak_rss_mb = Math.round(peakRssMb(target.pid));
    figures.load_avg = loadAverage();
    p.say(`idle: ${figures.cpu_pct} % of a core, RSS ${figures.rss_mb} MB (peak ${figures.peak_rss_mb} MB), ${figures.reports_per_s} reports/s`);
    return figures;
  } finally {
    await Promise.all(hosts.map((h) => h.stop().catch(() => undefined)));
    locks.close();
  }
}

/** The floor server (floor-server.ts) in its own process. */
async function startFloor(): Promise<{ address: string; pid: number; stop: () => Promise<void> }> {
  const child = fork(fileURLToPath(new URL('./sim/floor-server.js', import.meta.url)), [String(HEARTBEAT_MS)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`the floor server exited (${code}) before it listened`)));
  });
  return {
    address: `127.0.0.1:${port}`,
    pid: child.pid!,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function main(): Promise<number> {
  const { values } = parseFlags(process.argv.slice(2), {
    nodes: { type: 'string' },
    'lock-nodes': { type: 'string' },
    'window-s': { type: 'string' },
    samples: { type: 'string' },
    'nodes-per-conn': { type: 'string' },
    'no-floor': { type: 'boolean' },
    keep: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const total = int(values, 'nodes', 10_000, 1);
  const phases: Phases = {
    total,
    lockNodes: Math.min(total, int(values, 'lock-nodes', 1000, 1)),
    windowS: int(values, 'window-s', 60, 1),
    samples: int(values, 'samples', 500, 1),
    nodesPerChannel: int(values, 'nodes-per-conn', 20, 1),
    say: (line: string) => process.stderr.write(`bench:idle-fleet: ${line}\n`),
  };
  const figures: Record<string, string | number> = { lock_nodes: phases.lockNodes, nodes: total };

  if (!values['no-floor']) {
    const floor = await startFloor();
    try {
      phases.say(`floor server pid ${floor.pid} on ${floor.address}; load average ${loadAverage()}`);
      const f = await measure(floor, phases);
      Object.assign(figures, { floor_acquire_p50_ms: f.acquire_p50_ms, floor_acquire_p99_ms: f.acquire_p99_ms, floor_cpu_pct: f.cpu_pct, floor_rss_mb: f.rss_mb, floor_load_avg: f.load_avg });
    } finally {
      await floor.stop();
    }
  }

  const coordinator = await startBenchCoordinator('idle-fleet', ['--group', 'default=1']);
  const fleet = new (hostpilotProto().hostpilot.v1.Fleet)(coordinator.address, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': 256 * 1024 * 1024 });
  // Every page (a ListNodes reply holds at most 1,000 nodes).
  const connected = async () =>
    (
      await listAllNodes(
        (req) => new Promise<ListNodesReply__Output>((resolve, reject) => fleet.ListNodes(req, { deadline: new Date(Date.now() + 60_000) }, (err, r?: ListNodesReply__Output) => (err ? reject(err) : resolve(r!)))),
      )
    ).filter((n) => n.connected).length;
  try {
    phases.say(`coordinator pid ${coordinator.pid} on ${coordinator.address}; load average ${loadAverage()}`);
    const c = await measure({ address: coordinator.address, pid: coordinator.pid, connected }, phases);
    Object.assign(figures, {
      acquire_p50_ms: c.acquire_p50_ms,
      acquire_p99_ms: c.acquire_p99_ms,
      acquire_deadline_misses: c.acquire_deadline_misses,
      lock_load_avg: c.lock_load_avg,
      connected: c.connected,
      window_s: c.window_s,
      reports_per_s: c.reports_per_s,
      coordinator_cpu_pct: c.cpu_pct,
      coordinator_rss_mb: c.rss_mb,
      coordinator_peak_rss_mb: c.peak_rss_mb,
    });
    if (figures.floor_cpu_pct !== undefined) {
      figures.acquire_p99_over_floor = round(Number(c.acquire_p99_ms) / Number(figures.floor_acquire_p99_ms));
      figures.cpu_over_floor = round(Number(c.cpu_pct) / Number(figures.floor_cpu_pct));
    }
    figures.load_avg = c.load_avg!;
    process.stdout.write(`${Object.entries(figures).map(([k, v]) => `${k}=${v}`).join(' ')}\n`);
    return c.connected === total ? 0 : 1;
  } finally {
    fleet.close();
    await coordinator.stop(values.keep === true);
    if (values.keep) phases.say(`kept ${coordinator.dir}`);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench:idle-fleet: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
