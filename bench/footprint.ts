// bench:footprint — the whole agent (`hostpilot-agent run` with every module that can
// run on this machine) against Debian's prometheus-node-exporter, in the same run on the
// same machine, as ratios:
//  1. idle: RSS and CPU over a window without scrapes (the agent heartbeats, tails
//     /dev/kmsg, runs its checks and collects node metrics; node_exporter does nothing
//     until scraped);
//  2. scraped: CPU over a window in which both are scraped every 15 s, as Prometheus would;
//  3. the latency of one /metrics scrape (median of several, alternating).
// The node-metrics collector alone (bench/footprint-collector.ts) runs in the same
// windows, so the agent's cost can be split into the collector's and the rest's.
//
//   npm run bench:footprint     (FOOTPRINT_IDLE_SECONDS=60 FOOTPRINT_SCRAPES=21 to change)
//
// The agent is real: a coordinator process on a temporary SQLite database, a real OSTree
// repository served on loopback, a real sandbox sysroot deployed from it, the shipped
// problem monitors (the kernel monitor on the real /dev/kmsg), and --pod-network with an
// empty CNI state dir. Because the pod-network reconciler removes `hp*` veths and routes
// it has no record of, everything runs in a network namespace of its own (created here,
// deleted at the end): the bench re-executes itself inside it with `ip netns exec`.
// Long-running servers are started with spawn in their own process group and killed at
// the end; one-shot commands go through the CommandRunner.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProcessRunner } from '../common/exec/runner.js';
import { commitVersion, createOsRepo, createSysroot, removeSysroot, serveRepo, type ServedRepo } from '../lab/ostree-lab.js';
import { DEFAULT_SYSTEM_BUS } from '../agent/systemd/bus.js';
import { freeLoopbackPort } from '../common/address.js';
import { CtlClient } from '../ctl/client.js';
import type { ListNodesReply__Output } from '../proto/generated/hostpilot/v1/ListNodesReply.js';

const IDLE_SECONDS = Number(process.env.FOOTPRINT_IDLE_SECONDS ?? '60');
const SCRAPES = Number(process.env.FOOTPRINT_SCRAPES ?? '21');
const INTERVAL_MS = 15_000; // the collector's interval, and Prometheus' default scrape interval
const CLK_TCK = 100; // USER_HZ on Linux
const NETNS_ENV = 'HOSTPILOT_FOOTPRINT_NETNS';
const NODE_ID = 'footprint-0';
const OS_REF = 'testos/stable';
// This file runs as dist/bench/footprint.js; the programs it measures are its siblings.
const DIST = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');

/** The node flags (V8 heap limits) of the shipped unit's ExecStart, so the bench runs the agent as installed. */
function shippedAgentNodeFlags(): string[] {
  const unit = readFileSync(join(DIST, '..', 'systemd', 'hostpilot-agent.service'), 'utf8');
  const exec = /^ExecStart=\S*node((?: --[^\s]+)*) /m.exec(unit);
  if (!exec) throw new Error('systemd/hostpilot-agent.service: no ExecStart=/usr/bin/node line');
  return exec[1]!.trim().split(/\s+/).filter(Boolean);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number, d = 2) => Number(x.toFixed(d));
const ratio = (a: number, b: number) => (b > 0 ? round(a / b) : 'n/a');
const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ')[0]!;

interface Usage {
  /** user+system of the process itself. */
  cpuSeconds: number;
  /** Plus the children it has waited for (the agent's ostree, ip, ... commands). */
  cpuWithChildrenSeconds: number;
  rssBytes: number;
}

function usage(pid: number): Usage {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(f[i]));
  const rss = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpuSeconds: (utime! + stime!) / CLK_TCK, cpuWithChildrenSeconds: (utime! + stime! + cutime! + cstime!) / CLK_TCK, rssBytes: Number(rss?.[1] ?? 0) * 1024 };
}

async function scrape(port: number): Promise<{ ms: number; text: string; series: number }> {
  const start = performance.now();
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  const text = await res.text();
  const ms = performance.now() - start;
  if (res.status !== 200) throw new Error(`scrape of :${port} answered ${res.status}`);
  return { ms, text, series: text.split('\n').filter((l) => l && !l.startsWith('#')).length };
}

/** A long-running child in its own process group, its output kept (last lines) for errors. */
class Server {
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  constructor(
    readonly name: string,
    argv: string[],
  ) {
    this.child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      let rest = '';
      stream.on('data', (chunk: Buffer) => {
        const lines = (rest + chunk.toString()).split('\n');
        rest = lines.pop() ?? '';
        this.lines.push(...lines);
        if (this.lines.length > 200) this.lines.splice(0, this.lines.length - 200);
      });
    }
  }
  get pid(): number {
    return this.child.pid!;
  }
  running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }
  assertRunning(): void {
    if (!this.running()) throw new Error(`${this.name} exited (${this.child.exitCode ?? this.child.signalCode}):\n${this.lines.slice(-20).join('\n')}`);
  }
  async stop(): Promise<void> {
    if (!this.running() || this.child.pid === undefined) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    const signal = (s: NodeJS.Signals) => {
      try {
        process.kill(-this.child.pid!, s);
      } catch {
        // the group is gone
      }
    };
    signal('SIGTERM');
    const timer = setTimeout(() => signal('SIGKILL'), 8_000);
    await exited;
    clearTimeout(timer);
  }
}

async function waitFor(what: string | (() => string), server: Server, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    server.assertRunning();
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${typeof what === 'string' ? what : what()} within ${timeoutMs / 1000} s; ${server.name}'s last lines:\n${server.lines.slice(-20).join('\n')}`);
    await sleep(200);
  }
}

/** Outside the namespace: create it, run this file inside it, delete it. */
async function outside(): Promise<void> {
  const runner = new ProcessRunner();
  const netns = `hp-footprint-${process.pid}`;
  await runner.run({ argv: ['ip', 'netns', 'add', netns], timeoutMs: 10_000 });
  try {
    await runner.run({ argv: ['ip', '-n', netns, 'link', 'set', 'lo', 'up'], timeoutMs: 10_000 });
    const child = spawn('ip', ['netns', 'exec', netns, process.execPath, fileURLToPath(import.meta.url)], { stdio: 'inherit', env: { ...process.env, [NETNS_ENV]: netns } });
    const forward = (s: NodeJS.Signals) => child.kill(s);
    process.on('SIGINT', forward).on('SIGTERM', forward);
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    process.exitCode = code ?? 1;
  } finally {
    await runner.run({ argv: ['ip', 'netns', 'del', netns], timeoutMs: 10_000 });
  }
}

/** Inside the namespace: the coordinator, the agent, node_exporter and the collector alone. */
async function inside(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hp-footprint-'));
  const servers: Server[] = [];
  let mirror: ServedRepo | undefined;
  let ctl: CtlClient | undefined;
  let cleaned: Promise<void> | undefined;
  const cleanup = () =>
    (cleaned ??= (async () => {
      // In reverse start order: the agent stops before its coordinator.
      for (const s of [...servers].reverse()) await s.stop();
      ctl?.close();
      await mirror?.close();
      await removeSysroot(join(dir, 'sysroot')).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    })());
  const interrupted = () => void cleanup().finally(() => process.exit(130));
  // on, not once: a Ctrl-C reaches this process both from the terminal and forwarded by the outer one.
  process.on('SIGINT', interrupted).on('SIGTERM', interrupted);
  const start = (name: string, argv: string[]) => {
    const s = new Server(name, argv);
    servers.push(s);
    return s;
  };

  try {
    const loadStart = loadAverage();
    // A real OS: version 1 committed, served on loopback, deployed and sandbox-booted.
    const repo = await createOsRepo(join(dir, 'repo'));
    await commitVersion(repo, { ref: OS_REF, version: '1', subject: 'Test OS 1' });
    mirror = await serveRepo(repo);
    const sysroot = await createSysroot(join(dir, 'sysroot'), { osname: 'testos', remoteUrl: mirror.url, ref: OS_REF });

    const grpcPort = await freeLoopbackPort();
    const httpPort = await freeLoopbackPort();
    const agentPort = await freeLoopbackPort();
    const nePort = await freeLoopbackPort();
    const collectorPort = await freeLoopbackPort();
    const grpcAddress = `127.0.0.1:${grpcPort}`;
    const coordinator = start('coordinator', [
      process.execPath, join(DIST, 'coordinator/main.js'),
      '--store', `sqlite:${join(dir, 'coordinator.db')}`,
      '--grpc-listen', grpcAddress,
      '--http-listen', `127.0.0.1:${httpPort}`,
    ]);
    await waitFor('the coordinator did not start', coordinator, async () => coordinator.lines.some((l) => l.includes('coordinator serving')));

    // The agent's config: units are watched only where a system bus exists (none here: no systemd).
    const configDir = join(dir, 'etc');
    mkdirSync(configDir);
    const bus = process.env.DBUS_SYSTEM_BUS_ADDRESS ?? DEFAULT_SYSTEM_BUS;
    const systemBus = existsSync(bus.replace(/^unix:path=/, '').split(',')[0]!);
    writeFileSync(join(configDir, 'agent.json'), JSON.stringify({ units: systemBus ? { watch: ['dbus.service'] } : {} }));
    const cniStateDir = join(dir, 'cni');
    mkdirSync(cniStateDir);
    const agent = start('agent', [
      process.execPath, ...shippedAgentNodeFlags(), join(DIST, 'agent/main.js'), 'run',
      '--coordinator', grpcAddress,
      '--node-id', NODE_ID,
      '--labels-file', join(configDir, 'labels'),
      '--metrics-listen', `127.0.0.1:${agentPort}`,
      '--state-dir', join(dir, 'state'),
      '--config-dir', configDir,
      '--monitors-dir', join(DIST, 'agent/problems/defaults'),
      '--backend', 'ostree',
      '--sysroot', sysroot.path,
      '--sandbox',
      '--reboot-required-file', join(dir, 'reboot-required'),
      '--pod-network',
      '--cni-state-dir', cniStateDir,
    ]);
    const ne = start('node_exporter', ['prometheus-node-exporter', `--web.listen-address=127.0.0.1:${nePort}`]);
    const collector = start('collector', [process.execPath, join(DIST, 'bench/footprint-collector.js'), String(collectorPort), String(INTERVAL_MS)]);

    // Ready: every module has run once and the coordinator knows the node's booted version.
    ctl = new CtlClient(grpcAddress, undefined, 10_000);
    const client = ctl;
    const node = async () => (await client.call<ListNodesReply__Output>((o, cb) => client.fleet.ListNodes({}, o, cb))).nodes.find((n) => n.node_id === NODE_ID);
    await waitFor('node_exporter did not answer', ne, async () => (await scrape(nePort), true));
    await waitFor('the collector did not answer', collector, async () => (await scrape(collectorPort)).text.includes('hostpilot_node_'));
    await waitFor('the agent did not report its booted version', agent, async () => (await node())?.deployments.some((d) => d.booted && d.version === '1') ?? false);
    const modules = ['hostpilot_node_load_average{window="1m"}', 'hostpilot_os_info', 'hostpilot_condition{type="KernelDeadlock"', 'hostpilot_condition{type="ReadonlyFilesystem"', 'hostpilot_net_reconcile_runs_total{result="ok"}'];
    let missing = modules;
    await waitFor(() => `the agent's /metrics did not show every module (missing: ${missing.join(', ')})`, agent, async () => {
      const { text } = await scrape(agentPort);
      missing = modules.filter((m) => !text.includes(m));
      return missing.length === 0;
    });
    // One warm-up scrape each (first-call allocations), then let the start-up settle.
    for (const port of [nePort, collectorPort, agentPort]) await scrape(port);
    await sleep(5_000);

    const procs = { agent, ne, collector };
    const all = () => Object.fromEntries(Object.entries(procs).map(([k, s]) => [k, usage(s.pid)])) as Record<keyof typeof procs, Usage>;
    const pct = (a: Usage, b: Usage, seconds: number, withChildren = false) =>
      ((withChildren ? b.cpuWithChildrenSeconds - a.cpuWithChildrenSeconds : b.cpuSeconds - a.cpuSeconds) / seconds) * 100;

    // Idle: no scrapes.
    const i0 = all();
    await sleep(IDLE_SECONDS * 1000);
    const i1 = all();
    // Scraped every 15 s for about as long.
    const cycles = Math.max(1, Math.round(IDLE_SECONDS / (INTERVAL_MS / 1000)));
    const s0 = all();
    for (let i = 0; i < cycles; i++) {
      await Promise.all([scrape(agentPort), scrape(nePort), scrape(collectorPort)]);
      await sleep(INTERVAL_MS);
    }
    const s1 = all();
    const scrapedSeconds = (cycles * INTERVAL_MS) / 1000;

    // Latency: back to back, alternating, so all see the same machine load.
    const lat = { agent: [] as number[], ne: [] as number[], collector: [] as number[] };
    const series = { agent: 0, ne: 0, collector: 0 };
    for (let i = 0; i < SCRAPES; i++) {
      for (const [k, port] of [['agent', agentPort], ['ne', nePort], ['collector', collectorPort]] as const) {
        const r = await scrape(port);
        lat[k].push(r.ms);
        series[k] = r.series;
      }
    }
    for (const s of servers) s.assertRunning();
    const flow = (await node())?.flow_state ?? 'unknown';
    if (flow !== 'idle') throw new Error(`the agent's reboot flow is ${flow}, not idle: the figures are not an idle agent's`);
    const warnings = agent.lines.filter((l) => /"level":"(warn|error)"/.test(l));

    const figures = {
      idle_seconds: IDLE_SECONDS,
      agent_rss_mb: round(i1.agent.rssBytes / 2 ** 20, 1),
      node_exporter_rss_mb: round(i1.ne.rssBytes / 2 ** 20, 1),
      rss_ratio: ratio(i1.agent.rssBytes, i1.ne.rssBytes),
      agent_idle_cpu_pct: round(pct(i0.agent, i1.agent, IDLE_SECONDS, true), 3),
      node_exporter_idle_cpu_pct: round(pct(i0.ne, i1.ne, IDLE_SECONDS), 3),
      idle_cpu_ratio: ratio(pct(i0.agent, i1.agent, IDLE_SECONDS, true), pct(i0.ne, i1.ne, IDLE_SECONDS)),
      agent_scraped_cpu_pct: round(pct(s0.agent, s1.agent, scrapedSeconds, true), 3),
      node_exporter_scraped_cpu_pct: round(pct(s0.ne, s1.ne, scrapedSeconds), 3),
      scraped_cpu_ratio: ratio(pct(s0.agent, s1.agent, scrapedSeconds, true), pct(s0.ne, s1.ne, scrapedSeconds)),
      agent_scrape_ms_p50: round(median(lat.agent)),
      node_exporter_scrape_ms_p50: round(median(lat.ne)),
      scrape_latency_ratio: ratio(median(lat.agent), median(lat.ne)),
      agent_series: series.agent,
      node_exporter_series: series.ne,
      agent_idle_cpu_self_pct: round(pct(i0.agent, i1.agent, IDLE_SECONDS), 3),
      collector_rss_mb: round(i1.collector.rssBytes / 2 ** 20, 1),
      collector_idle_cpu_pct: round(pct(i0.collector, i1.collector, IDLE_SECONDS), 3),
      collector_scraped_cpu_pct: round(pct(s0.collector, s1.collector, scrapedSeconds), 3),
      collector_scrape_ms_p50: round(median(lat.collector)),
      collector_series: series.collector,
      units: systemBus ? 'watch' : 'off',
      agent_warnings: warnings.length,
      loadavg_start: loadStart,
      loadavg_end: loadAverage(),
    };
    for (const w of warnings.slice(0, 5)) process.stdout.write(`agent warning: ${w}\n`);
    process.stdout.write(
      `netns ${process.env[NETNS_ENV]}: idle ${IDLE_SECONDS}s without scrapes, ${scrapedSeconds}s scraped every ${INTERVAL_MS / 1000}s, then ${SCRAPES} back-to-back scrapes each, alternating; agent modules: ostree sandbox backend + reboot flow, problem monitors (kmsg, builtin), node metrics, pod network, units ${systemBus ? 'watching dbus.service' : 'off (no system bus)'}, kubernetes off, thin pool off\n`,
    );
    process.stdout.write(Object.entries(figures).map(([k, v]) => `${k}=${v}`).join(' ') + '\n');
  } finally {
    await cleanup();
  }
}

if (process.env[NETNS_ENV]) await inside();
else await outside();
