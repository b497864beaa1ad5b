// One simulated rollout against a running coordinator: bring up N simulated
// agents, create a rollout, watch it to completion while checking the budget
// invariant from both sides, and return the figures.
import * as grpc from '@grpc/grpc-js';
import { hostpilotProto } from '../../common/proto.js';
import { budgetFor, makeBuckets, type FleetNode } from '../../coordinator/rollout/planner.js';
import { parseMaxUnavailable, parseStrategy } from '../../common/api/rollout-spec.js';
import type { FleetClient } from '../../proto/generated/hostpilot/v1/Fleet.js';
import type { ListLocksReply__Output } from '../../proto/generated/hostpilot/v1/ListLocksReply.js';
import type { ListNodesReply__Output } from '../../proto/generated/hostpilot/v1/ListNodesReply.js';
import type { ListPoolsReply__Output } from '../../proto/generated/hostpilot/v1/ListPoolsReply.js';
import type { RolloutSpec } from '../../proto/generated/hostpilot/v1/RolloutSpec.js';
import type { RolloutStatus__Output } from '../../proto/generated/hostpilot/v1/RolloutStatus.js';
import { stamp, type SimNodeSpec, type SimOptions, type SimStats } from './fleet-sim.js';
import { InvariantTracker, checkLocksSnapshot, checkPoolsSnapshot } from './invariant.js';
import { cpuSeconds, peakRssMb } from './proc.js';
import { idealSchedule, percentile, type BucketShape } from './schedule.js';
import { InProcessHost, WorkerHost, type SimHost } from './worker-host.js';
import { listAllNodes } from '../../common/api/list-nodes.js';

export interface FleetRunOptions {
  /** A coordinator's gRPC address (host:port), for the bench's own calls (Rollouts, ListPools, Locks/List). */
  address: string;
  /** Where the simulated agents go, spread round-robin by connection (replicas on etcd) [address]. */
  agentAddresses?: string[];
  /** The coordinators' pids, for CPU and memory figures (summed over replicas); none: not measured. */
  coordinatorPids?: number[];
  /** etcd's pid, for its CPU and memory figures (etcd_cpu_s, etcd_peak_rss_mb); none: not measured. */
  etcdPid?: number;
  nodes: number;
  racks: number;
  pools: number;
  /** by-label:rack, size:N or percent:P. */
  strategy: string;
  maxUnavailable: string;
  /** The lock group's slots, as the coordinator was started with. */
  slots: number;
  rebootMs: number;
  settleMs: number;
  lockRetryMs: number;
  nodesPerChannel: number;
  /** 0: simulate in this process. */
  workers: number;
  pollMs: number;
  heartbeatMs?: number;
  /** How old simulator events must be before they are replayed in order. */
  eventLagMs?: number;
  /** Gives up after this long. */
  timeoutMs: number;
  log?: (line: string) => void;
}

export interface FleetRunResult {
  figures: Record<string, string | number>;
  violations: string[];
  errors: string[];
  completed: boolean;
  /** Why the run stopped early (a violation, a paused rollout, a timeout). */
  failure?: string;
}

const LOCK_GROUP = 'default';
const POOL_LABEL = 'pool';

export function simNodes(n: number, racks: number, pools: number): SimNodeSpec[] {
  const width = String(n).length;
  const rackWidth = String(racks).length;
  return Array.from({ length: n }, (_, i) => ({
    id: `sim-${String(i + 1).padStart(width, '0')}`,
    labels: { [POOL_LABEL]: pools === 1 ? 'workers' : `pool-${(Math.floor(i / racks) % pools) + 1}`, rack: `rack-${String((i % racks) + 1).padStart(rackWidth, '0')}` },
  }));
}

function unaryCall<Req, Res>(fn: (req: Req, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: Res) => void) => unknown, req: Req, timeoutMs = 60_000): Promise<Res> {
  return new Promise((resolve, reject) => fn(req, { deadline: new Date(Date.now() + timeoutMs) }, (err, res) => (err ? reject(err) : resolve(res!))));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A /proc figure added up over processes (replicas); NaN when none is measured. */
const sumOver = (pids: number[] | undefined, figure: (pid: number) => number): number => (pids?.length ? pids.reduce((sum, pid) => sum + figure(pid), 0) : NaN);

export async function runFleetRollout(o: FleetRunOptions): Promise<FleetRunResult> {
  const log = o.log ?? (() => undefined);
  const nodes = simNodes(o.nodes, o.racks, o.pools);
  const poolOf = new Map(nodes.map((n) => [n.id, n.labels[POOL_LABEL]!]));
  const poolSizes = new Map<string, number>();
  for (const pool of poolOf.values()) poolSizes.set(pool, (poolSizes.get(pool) ?? 0) + 1);
  const max = parseMaxUnavailable(o.maxUnavailable);
  const budgets = new Map([...poolSizes].map(([pool, size]) => [pool, budgetFor(size, max)]));

  const simOptions: SimOptions = {
    addresses: o.agentAddresses ?? [o.address],
    poolLabel: POOL_LABEL,
    lockGroup: LOCK_GROUP,
    rebootMs: o.rebootMs,
    lockRetryMs: o.lockRetryMs,
    nodesPerChannel: o.nodesPerChannel,
    registerConcurrency: 64,
    initialVersion: '1',
    ...(o.heartbeatMs !== undefined ? { heartbeatMs: o.heartbeatMs } : {}),
  };
  const target = '2';
  const hosts: SimHost[] = [];
  const parts = Math.max(1, o.workers);
  for (let w = 0; w < parts; w++) {
    const mine = nodes.filter((_, i) => i % parts === w);
    if (mine.length === 0) continue;
    hosts.push(o.workers === 0 ? new InProcessHost(mine, simOptions, target) : new WorkerHost(mine, simOptions, target));
  }

  const proto = hostpilotProto().hostpilot.v1;
  const creds = grpc.credentials.createInsecure();
  const adminOptions = { 'grpc.primary_user_agent': 'hostpilot-fleetsim-admin', 'grpc.max_receive_message_length': 256 * 1024 * 1024 };
  const fleetAdmin = new proto.Fleet(o.address, creds, adminOptions);
  // A node is `connected` only on the replica its stream goes to: readiness is asked of every one.
  const agentAddresses = [...new Set(o.agentAddresses ?? [o.address])];
  const fleetOf = agentAddresses.map((a) => (a === o.address ? fleetAdmin : new proto.Fleet(a, creds, adminOptions)));
  const locksAdmin = new proto.Locks(o.address, creds, adminOptions);
  const rollouts = new proto.Rollouts(o.address, creds, adminOptions);
  const listNodes = (fleet: FleetClient) => listAllNodes((req) => unaryCall<object, ListNodesReply__Output>(fleet.ListNodes.bind(fleet), req));
  /** Nodes connected to some replica and ready there. */
  const readyNodes = async () => {
    const ready = new Set<string>();
    for (const fleet of fleetOf) for (const n of await listNodes(fleet)) if (n.connected && n.state === 'ready') ready.add(n.node_id);
    return ready.size;
  };
  const listPools = () => unaryCall<object, ListPoolsReply__Output>(fleetAdmin.ListPools.bind(fleetAdmin), { pool_label: POOL_LABEL });
  const listLocks = () => unaryCall<object, ListLocksReply__Output>(locksAdmin.List.bind(locksAdmin), { group: LOCK_GROUP });
  const getRollout = (id: string) => unaryCall<object, RolloutStatus__Output>(rollouts.Get.bind(rollouts), { id, summary_only: true });

  const tracker = new InvariantTracker(budgets, o.slots);
  const violations: string[] = [];
  let stats: SimStats[] = [];
  let completed = false;
  const figures: Record<string, string | number> = {};
  let failure: string | undefined;
  try {
    const t0 = performance.now();
    await Promise.all(hosts.map((h) => h.start()));
    // Every first report applied: the coordinator sees the whole fleet, connected and ready.
    for (;;) {
      const ready = await readyNodes();
      if (ready >= o.nodes) break;
      if (performance.now() - t0 > o.timeoutMs) throw new Error(`only ${ready} of ${o.nodes} nodes ready`);
      await sleep(200);
    }
    const connectS = (performance.now() - t0) / 1000;
    log(`${o.nodes} nodes connected in ${connectS.toFixed(1)} s over ${hosts.length} simulator process(es)`);

    const coordCpu = () => sumOver(o.coordinatorPids, cpuSeconds);
    const etcdCpu = () => sumOver(o.etcdPid !== undefined ? [o.etcdPid] : undefined, cpuSeconds);
    // The simulator's worker processes and this one (the bench's own checks): on a 2-core machine, what the coordinator competes with.
    const simPids = [process.pid, ...hosts.map((h) => h.pid).filter((p): p is number => p !== undefined)];
    const simCpu = () => sumOver(simPids, cpuSeconds);
    const cpu0 = coordCpu();
    const etcdCpu0 = etcdCpu();
    const simCpu0 = simCpu();
    const sent0 = hosts.reduce((s, h) => s + h.progress().reportsSent, 0);
    const spec: RolloutSpec = {
      id: 'bench',
      target,
      strategy: o.strategy,
      max_unavailable: o.maxUnavailable,
      pool_label: POOL_LABEL,
      settle_ms: o.settleMs,
      health_timeout_ms: 30 * 60_000,
      lock_group: LOCK_GROUP,
    };
    const created = await unaryCall<RolloutSpec, RolloutStatus__Output>(rollouts.Create.bind(rollouts), spec);
    const wallStart = performance.now();
    // The reply names a large rollout's buckets without their members: the bench makes the
    // same buckets from the labels it registered (the coordinator's own function), and checks
    // them against the reply's names and sizes.
    const buckets = makeBuckets(
      nodes.map((n) => ({ nodeId: n.id, labels: n.labels }) as FleetNode),
      parseStrategy(o.strategy),
    );
    const summaries = created.bucket_summaries.map((b) => `${b.name}:${b.total}`).join(' ');
    const mine = buckets.slice(0, created.bucket_summaries.length).map((b) => `${b.name}:${b.nodes.length}`).join(' ');
    if (created.bucket_count !== buckets.length || created.bucket_summaries_from !== 0 || summaries !== mine) throw new Error(`the coordinator's buckets (${created.bucket_count}: ${summaries}) are not the bench's (${buckets.length}: ${mine})`);
    const shapes: BucketShape[] = buckets.map((b) => {
      const pools = new Map<string, number>();
      for (const id of b.nodes) pools.set(poolOf.get(id)!, (pools.get(poolOf.get(id)!) ?? 0) + 1);
      return { name: b.name, pools };
    });
    const ideal = idealSchedule(shapes, budgets, { slots: o.slots, rebootMs: o.rebootMs, settleMs: o.settleMs });
    log(`rollout created: ${shapes.length} buckets, ${ideal.waves} waves, ideal ${(ideal.idealMs / 1000).toFixed(1)} s`);

    let snapshots = 0;
    const snapshotMs: number[] = [];
    let maxUnavailable = 0;
    let maxHoldersSeen = 0;
    let lastGet = 0;
    let lastLog = 0;
    let final: RolloutStatus__Output | undefined;
    const lag = o.eventLagMs ?? 2000;
    while (!final) {
      const tick = performance.now();
      if (tick - wallStart > o.timeoutMs) throw new Error(`rollout not completed within ${o.timeoutMs} ms`);
      // Per-pool counts from ListPools, not a paged ListNodes: pages read at different moments would add up nodes of two waves.
      const [poolsNow, locksNow] = await Promise.all([listPools(), listLocks()]);
      snapshots++;
      snapshotMs.push(performance.now() - tick);
      const checked = checkPoolsSnapshot(
        poolsNow.pools.map((p) => ({ name: p.name, notReady: p.updating + p.degraded + p.unreachable })),
        budgets,
      );
      for (const v of checked.unavailable.values()) maxUnavailable = Math.max(maxUnavailable, v);
      const holders = locksNow.groups.find((g) => g.name === LOCK_GROUP)?.holders.map((h) => h.node_id) ?? [];
      maxHoldersSeen = Math.max(maxHoldersSeen, holders.length);
      const found = [...checked.violations, ...checkLocksSnapshot(holders, o.slots, (id) => poolOf.get(id) ?? '(no pool)', budgets)];
      for (const h of hosts) tracker.add(h.drain());
      found.push(...tracker.advance(stamp() - lag));
      if (found.length) {
        violations.push(...found);
        throw new Error(`budget invariant violated: ${found[0]}`);
      }
      const progress = hosts.map((h) => h.progress());
      const moved = progress.reduce((s, p) => s + p.onVersion, 0);
      const busy = progress.reduce((s, p) => s + p.busy, 0);
      if (tick - lastLog > 10_000) {
        lastLog = tick;
        log(`${((tick - wallStart) / 1000).toFixed(0)} s: ${moved}/${o.nodes} on ${target}, ${busy} in flight, ${holders.length} lock holders`);
      }
      // Counts only (no node page): read it often only near the end.
      const nearEnd = moved >= o.nodes && busy === 0;
      if (tick - lastGet > (nearEnd ? 0 : 2000)) {
        lastGet = tick;
        const status = await getRollout('bench');
        if (status.phase === 'completed') final = status;
        else if (status.phase !== 'running') throw new Error(`rollout ${status.phase}: ${status.reason}`);
      }
      if (!final) await sleep(Math.max(0, o.pollMs - (performance.now() - tick)));
    }
    const wallS = (performance.now() - wallStart) / 1000;
    const cpu1 = coordCpu();
    const etcdCpu1 = etcdCpu();
    const simCpu1 = simCpu();
    const sent1 = hosts.reduce((s, h) => s + h.progress().reportsSent, 0);
    completed = true;

    // Let the last releases land, then replay every event.
    await sleep(Math.min(lag, 500));
    stats = await Promise.all(hosts.map((h) => h.stop()));
    for (const h of hosts) tracker.add(h.drain());
    violations.push(...tracker.finish());

    const actualMs = Number(final.updated_unix_ms) - Number(final.created_unix_ms);
    const granted = stats.flatMap((s) => s.grantedAcquireMs);
    const waits = stats.flatMap((s) => s.waitForGrantMs);
    const budgetList = [...budgets.values()];
    const concurrency = Math.min(o.slots, budgetList.reduce((a, b) => a + b, 0));
    Object.assign(figures, {
      nodes: o.nodes,
      racks: o.racks,
      pools: o.pools,
      strategy: o.strategy,
      buckets: ideal.buckets,
      slots: o.slots,
      max_unavailable: o.maxUnavailable,
      budget: budgetList.length === 1 ? budgetList[0]! : budgetList.join('/'),
      concurrency,
      waves: ideal.waves,
      reboot_ms: o.rebootMs,
      settle_ms: o.settleMs,
      ideal_s: (ideal.idealMs / 1000).toFixed(1),
      actual_s: (actualMs / 1000).toFixed(1),
      ratio: (actualMs / ideal.idealMs).toFixed(3),
      wall_s: wallS.toFixed(1),
      connect_s: connectS.toFixed(1),
      acquire_p50_ms: percentile(granted, 50).toFixed(1),
      acquire_p99_ms: percentile(granted, 99).toFixed(1),
      grant_wait_p50_ms: percentile(waits, 50).toFixed(0),
      grant_wait_p99_ms: percentile(waits, 99).toFixed(0),
      acquire_calls: stats.reduce((s, x) => s + x.acquireCalls, 0),
      reboots: stats.reduce((s, x) => s + x.reboots, 0),
      coord_cpu_s: (cpu1 - cpu0).toFixed(1),
      coord_cpu_total_s: coordCpu().toFixed(1),
      coord_peak_rss_mb: sumOver(o.coordinatorPids, peakRssMb).toFixed(0),
      ...(o.etcdPid !== undefined ? { etcd_cpu_s: (etcdCpu1 - etcdCpu0).toFixed(1), etcd_peak_rss_mb: peakRssMb(o.etcdPid).toFixed(0) } : {}),
      sim_cpu_s: (simCpu1 - simCpu0).toFixed(1),
      report_msgs_per_s: ((sent1 - sent0) / wallS).toFixed(0),
      max_holders: Math.max(tracker.maxHolders, maxHoldersSeen),
      max_down: Math.max(0, ...tracker.maxDown.values()),
      max_not_ready: maxUnavailable,
      snapshots,
      snapshot_p50_ms: percentile(snapshotMs, 50).toFixed(0),
      events: tracker.processed,
      late_events: tracker.late,
      violations: violations.length,
    });
  } catch (err) {
    failure = err instanceof Error ? err.message : String(err);
  } finally {
    if (stats.length === 0) await Promise.all(hosts.map((h) => h.stop().catch(() => undefined)));
    for (const fleet of new Set([fleetAdmin, ...fleetOf])) fleet.close();
    locksAdmin.close();
    rollouts.close();
  }
  return { figures, violations, errors: stats.flatMap((s) => s.errors), completed, ...(failure !== undefined ? { failure } : {}) };
}
