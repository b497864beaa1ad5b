// bench:cni — ADD and DEL latency per pod of hostpilot-cni against Debian's
// `ptp` plugin (containernetworking-plugins), both doing veth + /32 host
// route with host-local IPAM, both executed as a runtime executes them, in
// the same run, alternating pod by pod so machine load hits both alike.
// Everything happens in network namespaces this bench creates and removes.
//
// Usage: npm run build && npm run bench:cni [-- --pods N]   (root, iproute2, containernetworking-plugins)
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProcessRunner } from '../common/exec/runner.js';

const CNI_MAIN = fileURLToPath(new URL('../agent/net/cni-main.js', import.meta.url));
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
  for (const need of [CNI_MAIN, join(CNI_DIR, 'ptp'), join(CNI_DIR, 'host-local')]) {
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
  const plugins = {
    hostpilot: {
      argv: ['ip', 'netns', 'exec', host, CNI_MAIN],
      conf: {
        cniVersion: '1.0.0', name: 'hpnet', type: 'hostpilot-cni', gateway: '10.10.0.1', uplink: 'uplink0', stateDir: join(dir, 'state'),
        ipam: { type: 'host-local', dataDir: join(dir, 'ipam'), ranges: [[{ subnet: '10.10.0.0/22', rangeStart: '10.10.0.10', gateway: '10.10.0.1' }]] },
      },
    },
    ptp: {
      argv: ['ip', 'netns', 'exec', host, join(CNI_DIR, 'ptp')],
      conf: {
        cniVersion: '1.0.0', name: 'ptpnet', type: 'ptp', ipMasq: false, mtu: 1500,
        ipam: { type: 'host-local', dataDir: join(dir, 'ipam'), ranges: [[{ subnet: '10.20.0.0/22', rangeStart: '10.20.0.10', gateway: '10.20.0.1' }]] },
      },
    },
  } as const;
  type Name = keyof typeof plugins;
  const times: Record<Name, { add: number[]; del: number[] }> = { hostpilot: { add: [], del: [] }, ptp: { add: [], del: [] } };

  const call = async (name: Name, command: 'ADD' | 'DEL', pod: number, netns: string): Promise<number> => {
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

  try {
    await addNetns(tor);
    await addNetns(host);
    await ip('-n', host, 'link', 'add', 'uplink0', 'type', 'veth', 'peer', 'name', 'tor0', 'netns', `/var/run/netns/${tor}`);
    await ip('-n', tor, 'addr', 'add', '10.10.0.1/22', 'dev', 'tor0');
    await ip('-n', tor, 'link', 'set', 'tor0', 'up');
    await ip('-n', host, 'addr', 'add', '10.10.0.2/22', 'dev', 'uplink0');
    await ip('-n', host, 'link', 'set', 'uplink0', 'up');
    const netns: Record<Name, string[]> = { hostpilot: [], ptp: [] };
    for (let i = 0; i < pods; i++) {
      netns.hostpilot.push(await addNetns(`hpb-${id}-a${i}`));
      netns.ptp.push(await addNetns(`hpb-${id}-b${i}`));
    }
    // One warm-up pod each (page cache, first exec of each binary), not counted.
    const warm = { hostpilot: await addNetns(`hpb-${id}-wa`), ptp: await addNetns(`hpb-${id}-wb`) };
    for (const name of ['hostpilot', 'ptp'] as const) {
      await call(name, 'ADD', -1, warm[name]);
      await call(name, 'DEL', -1, warm[name]);
    }
    // What every hostpilot-cni call pays before doing any work: starting Node.js
    // (measured between the plugin calls, under the same load).
    const startup: number[] = [];
    const nodeStartup = async () => {
      const started = performance.now();
      await runner.run({ argv: ['ip', 'netns', 'exec', host, process.execPath, '-e', ''] });
      startup.push(performance.now() - started);
    };
    // Alternate which plugin goes first, pod by pod.
    for (let i = 0; i < pods; i++) {
      const order: Name[] = i % 2 === 0 ? ['hostpilot', 'ptp'] : ['ptp', 'hostpilot'];
      for (const name of order) times[name].add.push(await call(name, 'ADD', i, netns[name][i]!));
      await nodeStartup();
    }
    for (let i = 0; i < pods; i++) {
      const order: Name[] = i % 2 === 0 ? ['hostpilot', 'ptp'] : ['ptp', 'hostpilot'];
      for (const name of order) times[name].del.push(await call(name, 'DEL', i, netns[name][i]!));
      await nodeStartup();
    }
    const s = (name: Name, op: 'add' | 'del', p: number) => round(percentile(times[name][op], p));
    const figures = {
      pods,
      add_p50_ms: s('hostpilot', 'add', 50),
      add_p90_ms: s('hostpilot', 'add', 90),
      ptp_add_p50_ms: s('ptp', 'add', 50),
      ptp_add_p90_ms: s('ptp', 'add', 90),
      add_ratio: round(percentile(times.hostpilot.add, 50) / percentile(times.ptp.add, 50)),
      del_p50_ms: s('hostpilot', 'del', 50),
      del_p90_ms: s('hostpilot', 'del', 90),
      ptp_del_p50_ms: s('ptp', 'del', 50),
      ptp_del_p90_ms: s('ptp', 'del', 90),
      del_ratio: round(percentile(times.hostpilot.del, 50) / percentile(times.ptp.del, 50)),
      node_startup_p50_ms: round(percentile(startup, 50)),
    };
    process.stdout.write(`hostpilot-cni vs ptp, ${pods} pods each, per-pod latency of one plugin execution (ip netns exec included for both)\n`);
    process.stdout.write(Object.entries(figures).map(([k, v]) => `${k}=${v}`).join(' ') + '\n');
  } finally {
    for (const name of created.reverse()) await ip('netns', 'del', name).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:cni: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
