// bench:cni — ADD and DEL latency per pod of hostpilot-cni's two paths
// against Debian's `ptp` plugin (containernetworking-plugins), all doing veth
// + /32 host route with host-local IPAM, all executed as a runtime executes
// them, in the same run, rotating which goes first pod by pod so machine load
// hits them alike:
//   fast      the thin client (dist/native/hostpilot-cni) forwarding to a
//             running agent's socket (bench/cni-agent.ts, in the host netns)
//   fallback  the same client with no agent listening: it runs the Node.js plugin
//   ptp       /usr/lib/cni/ptp
// Then 50 concurrent ADDs (and DELs) through each of the three.
// Everything happens in network namespaces this bench creates and removes.
//
// Usage: npm run build && npm run bench:cni [-- --pods N]   (root, iproute2, containernetworking-plugins)
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { ProcessRunner } from '../common/exec/runner.js';
import { measureSteps, STEP_DATA_DIR } from './cni-steps.js';

const CNI_MAIN = fileURLToPath(new URL('../agent/net/cni-main.js', import.meta.url));
const CLIENT = fileURLToPath(new URL('../native/hostpilot-cni', import.meta.url));
const AGENT = fileURLToPath(new URL('./cni-agent.js', import.meta.url));
const HELPER = fileURLToPath(new URL('../native/hostpilot-nethelper', import.meta.url));
const CNI_DIR = process.env.CNI_DIR ?? '/usr/lib/cni';
const runner = new ProcessRunner();

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < 1 || n > 500) throw new Error(`${name}: must be an integer from 1 to 500`);
  return n;
}

async function ip(...argv: string[]): Promise<void> {
  await runner.run({ argv: ['ip', ...argv], timeoutMs: 10_000 });
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const round = (n: number) => Math.round(n * 100) / 100;

async function main(): Promise<void> {
  const pods = flag('--pods', 50);
  const concurrent = flag('--concurrent', 50);
  for (const need of [CNI_MAIN, CLIENT, HELPER, AGENT, join(CNI_DIR, 'ptp'), join(CNI_DIR, 'host-local')]) {
    if (!existsSync(need)) throw new Error(`${need} is missing (npm run build; apt-get install containernetworking-plugins)`);
  }
  if (process.getuid?.() !== 0) throw new Error('bench:cni needs root (network namespaces)');

  const id = randomBytes(3).toString('hex');
  const host = `hpb-${id}-host`;
  const tor = `hpb-${id}-tor`;
  const dir = mkdtempSync(join(tmpdir(), 'hostpilot-bench-cni-'));
  const created: string[] = [];
  const addNetns = async (name: string) => {
    await ip('netns', 'add', name);
    created.push(name);
    return `/var/run/netns/${name}`;
  };
  const socket = join(dir, 'cni.sock');
  const hostpilotConf = (agentSocket: string, subnet: string) => ({
    cniVersion: '1.0.0', name: 'hpnet', type: 'hostpilot-cni', gateway: '10.10.0.1', uplink: 'uplink0', stateDir: join(dir, 'state'), agentSocket,
    ipam: { type: 'host-local', dataDir: join(dir, 'ipam'), ranges: [[{ subnet, gateway: '10.10.0.1' }]] },
  });
  const plugins = {
    fast: { argv: ['ip', 'netns', 'exec', host, CLIENT], conf: hostpilotConf(socket, '10.10.0.0/22') },
    // No agent at this path: the client runs the Node.js plugin.
    fallback: { argv: ['ip', 'netns', 'exec', host, CLIENT], conf: hostpilotConf(join(dir, 'no-agent.sock'), '10.10.0.0/22') },
    ptp: {
      argv: ['ip', 'netns', 'exec', host, join(CNI_DIR, 'ptp')],
      conf: {
        cniVersion: '1.0.0', name: 'ptpnet', type: 'ptp', ipMasq: false, mtu: 1500,
        ipam: { type: 'host-local', dataDir: join(dir, 'ipam'), ranges: [[{ subnet: '10.20.0.0/20', gateway: '10.20.0.1' }]] },
      },
    },
  } as const;
  type Name = keyof typeof plugins;
  const NAMES: Name[] = ['fast', 'fallback', 'ptp'];
  const tag: Record<Name, string> = { fast: 'a', fallback: 'b', ptp: 'p' };
  const times: Record<Name, { add: number[]; del: number[] }> = { fast: { add: [], del: [] }, fallback: { add: [], del: [] }, ptp: { add: [], del: [] } };

  const call = async (name: Name, command: 'ADD' | 'DEL', pod: number | string, netns: string): Promise<number> => {
    const p = plugins[name];
    const started = performance.now();
    const result = await runner.run({
      argv: p.argv,
      env: { CNI_COMMAND: command, CNI_CONTAINERID: `bench-${name}-${pod}`, CNI_NETNS: netns, CNI_IFNAME: 'eth0', CNI_PATH: CNI_DIR },
      input: JSON.stringify(p.conf),
      okExitCodes: [0, 1],
      timeoutMs: 30_000,
    });
    const ms = performance.now() - started;
    if (result.exitCode !== 0) throw new Error(`${name} ${command} pod ${pod} failed: ${result.stdout.trim()} ${result.stderr.trim()}`);
    return ms;
  };

  let agent: ReturnType<typeof spawn> | undefined;
  try {
    await addNetns(tor);
    await addNetns(host);
    await ip('-n', host, 'link', 'add', 'uplink0', 'type', 'veth', 'peer', 'name', 'tor0', 'netns', `/var/run/netns/${tor}`);
    await ip('-n', tor, 'addr', 'add', '10.10.0.1/22', 'dev', 'tor0');
    await ip('-n', tor, 'link', 'set', 'tor0', 'up');
    await ip('-n', host, 'addr', 'add', '10.10.0.2/22', 'dev', 'uplink0');
    await ip('-n', host, 'link', 'set', 'uplink0', 'up');
    // The agent is a daemon: started directly, as bench/etcd-process.ts does (the runner waits for exit).
    agent = spawn('ip', ['netns', 'exec', host, process.execPath, AGENT, socket], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [first] = (await once(agent.stdout!, 'data')) as [Buffer];
    if (!first.toString().includes('listening')) throw new Error(`bench agent: ${first.toString()}`);
    const netns: Record<Name, string[]> = { fast: [], fallback: [], ptp: [] };
    for (let i = 0; i < pods; i++) for (const name of NAMES) netns[name].push(await addNetns(`hpb-${id}-${tag[name]}${i}`));
    // One warm-up pod each (page cache, first exec of each binary), not counted.
    for (const name of NAMES) {
      const warm = await addNetns(`hpb-${id}-w${tag[name]}`);
      await call(name, 'ADD', `warm`, warm);
      await call(name, 'DEL', `warm`, warm);
    }
    // What every Node.js plugin call pays before doing any work: starting Node.js; and the
    // floor every path pays here: `ip netns exec host` starting a C program that does nothing
    // (measured between the plugin calls, under the same load).
    const startup: number[] = [];
    const floor: number[] = [];
    const nodeStartup = async () => {
      let started = performance.now();
      await runner.run({ argv: ['ip', 'netns', 'exec', host, process.execPath, '-e', ''] });
      startup.push(performance.now() - started);
      started = performance.now();
      await runner.run({ argv: ['ip', 'netns', 'exec', host, 'true'] });
      floor.push(performance.now() - started);
    };
    // Rotate which path goes first, pod by pod.
    const order = (i: number) => [...NAMES.slice(i % 3), ...NAMES.slice(0, i % 3)];
    for (let i = 0; i < pods; i++) {
      for (const name of order(i)) times[name].add.push(await call(name, 'ADD', i, netns[name][i]!));
      await nodeStartup();
    }
    for (let i = 0; i < pods; i++) {
      for (const name of order(i)) times[name].del.push(await call(name, 'DEL', i, netns[name][i]!));
      await nodeStartup();
    }
    // A burst: N pods at once on one node, each path in turn.
    const burst: Record<Name, { add: number; del: number }> = { fast: { add: 0, del: 0 }, fallback: { add: 0, del: 0 }, ptp: { add: 0, del: 0 } };
    let started = performance.now();
    await Promise.all(Array.from({ length: concurrent }, () => runner.run({ argv: ['ip', 'netns', 'exec', host, 'true'] })));
    const burstFloor = performance.now() - started;
    for (const name of ['ptp', 'fast', 'fallback'] as const) {
      const ns: string[] = [];
      for (let i = 0; i < concurrent; i++) ns.push(await addNetns(`hpb-${id}-c${tag[name]}${i}`));
      for (const op of ['ADD', 'DEL'] as const) {
        started = performance.now();
        await Promise.all(ns.map((n, i) => call(name, op, `c${i}`, n)));
        burst[name][op === 'ADD' ? 'add' : 'del'] = performance.now() - started;
      }
    }
    // Where an ADD's milliseconds went before: the steps that were children, alone.
    const stepsNetns = `hpb-${id}-steps`;
    await addNetns(stepsNetns);
    await ip('-n', stepsNetns, 'link', 'add', 'ps0', 'type', 'veth', 'peer', 'name', 'ps1');
    const steps = await measureSteps({ runner, helperPath: HELPER, netnsName: stepsNetns, dataDir: STEP_DATA_DIR(dir), cniDir: CNI_DIR, rounds: pods }, percentile);
    const s = (name: Name, op: 'add' | 'del', p: number) => round(percentile(times[name][op], p));
    const ratio = (name: Name, op: 'add' | 'del') => round(percentile(times[name][op], 50) / percentile(times.ptp[op], 50));
    const figures = {
      pods,
      fast_add_p50_ms: s('fast', 'add', 50),
      fast_add_p90_ms: s('fast', 'add', 90),
      fallback_add_p50_ms: s('fallback', 'add', 50),
      fallback_add_p90_ms: s('fallback', 'add', 90),
      ptp_add_p50_ms: s('ptp', 'add', 50),
      ptp_add_p90_ms: s('ptp', 'add', 90),
      fast_add_ratio: ratio('fast', 'add'),
      fallback_add_ratio: ratio('fallback', 'add'),
      fast_del_p50_ms: s('fast', 'del', 50),
      fast_del_p90_ms: s('fast', 'del', 90),
      fallback_del_p50_ms: s('fallback', 'del', 50),
      fallback_del_p90_ms: s('fallback', 'del', 90),
      ptp_del_p50_ms: s('ptp', 'del', 50),
      ptp_del_p90_ms: s('ptp', 'del', 90),
      fast_del_ratio: ratio('fast', 'del'),
      fallback_del_ratio: ratio('fallback', 'del'),
      node_startup_p50_ms: round(percentile(startup, 50)),
      exec_floor_p50_ms: round(percentile(floor, 50)),
      concurrent,
      concurrent_exec_floor_ms: round(burstFloor),
      concurrent_fast_add_ms: round(burst.fast.add),
      concurrent_ptp_add_ms: round(burst.ptp.add),
      concurrent_add_ratio: round(burst.fast.add / burst.ptp.add),
      concurrent_fast_del_ms: round(burst.fast.del),
      concurrent_ptp_del_ms: round(burst.ptp.del),
      concurrent_del_ratio: round(burst.fast.del / burst.ptp.del),
      concurrent_fallback_add_ms: round(burst.fallback.add),
      concurrent_fallback_del_ms: round(burst.fallback.del),
      ...steps,
    };
    process.stdout.write(`hostpilot-cni (fast path through the agent, Node.js fallback) vs ptp, ${pods} pods each, per-pod latency of one plugin execution (ip netns exec included for all); then ${concurrent} concurrent ADDs/DELs\n`);
    process.stdout.write(Object.entries(figures).map(([k, v]) => `${k}=${v}`).join(' ') + '\n');
  } finally {
    agent?.kill('SIGTERM');
    for (const name of created.reverse()) await ip('netns', 'del', name).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:cni: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
