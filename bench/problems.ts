// bench:problems — the agent's default monitors (kernel log + built-in checks),
// run as `hostpilot-agent problems run`, idle and under a flood of 5,000 OOM
// kill lines a minute. Measures the monitor process's CPU (from
// /proc/PID/stat) and RSS (VmRSS), and how the events were coalesced.
// Figures go on the last line as key=value.
//
//   npm run bench:problems            (BENCH_IDLE_S=30 BENCH_FLOOD_S=60 by default)
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const IDLE_S = Number(process.env.BENCH_IDLE_S ?? 30);
const FLOOD_S = Number(process.env.BENCH_FLOOD_S ?? 60);
const LINES_PER_MIN = Number(process.env.BENCH_LINES_PER_MIN ?? 5000);
const CLK_TCK = 100;

const root = process.cwd();
const dir = mkdtempSync(join(tmpdir(), 'hp-bench-problems-'));
const log = join(dir, 'kmsg');
writeFileSync(log, '');

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime
}

function rssKb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let seq = 1;
const oom = () => {
  const n = seq++;
  return `3,${n},${1_000_000 + n * 1000},-;Memory cgroup out of memory: Killed process ${10000 + (n % 50000)} (stress-ng) total-vm:58712kB, anon-rss:48768kB, file-rss:6792kB, shmem-rss:0kB, UID:0 pgtables:152kB oom_score_adj:0\n`;
};

/** RSS of a bare Node.js process doing nothing: the floor any Node agent pays. */
async function nodeBaselineRssKb(): Promise<number> {
  const bare = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  try {
    await sleep(2000);
    return rssKb(bare.pid!);
  } finally {
    bare.kill('SIGKILL');
    await new Promise((r) => bare.once('close', r));
  }
}

async function main(): Promise<void> {
  const baselineKb = await nodeBaselineRssKb();
  const child = spawn(process.execPath, [join(root, 'dist/agent/main.js'), 'problems', 'run', resolve(root, 'agent/problems/defaults'), '--log-path', log, '--json'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let events = 0;
  let occurrences = 0;
  let buf = '';
  child.stdout.on('data', (c: Buffer) => {
    buf += c.toString();
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        const o = JSON.parse(line) as { kind?: string; reason?: string; count?: number };
        if (o.kind === 'event' && o.reason === 'OOMKilling') {
          events += 1;
          occurrences += o.count ?? 1;
        }
      } catch {
        // the initial table
      }
    }
  });
  const pid = child.pid!;
  try {
    await sleep(3000); // start-up
    // Idle.
    let t0 = performance.now();
    let c0 = cpuTicks(pid);
    let idleRssMax = 0;
    for (let s = 0; s < IDLE_S; s++) {
      await sleep(1000);
      idleRssMax = Math.max(idleRssMax, rssKb(pid));
    }
    const idleCpu = ((cpuTicks(pid) - c0) / CLK_TCK / ((performance.now() - t0) / 1000)) * 100;
    const idleRss = rssKb(pid);

    // Flood: LINES_PER_MIN spread over 10 writes a second.
    const perTick = LINES_PER_MIN / 60 / 10;
    let owed = 0;
    let written = 0;
    t0 = performance.now();
    c0 = cpuTicks(pid);
    let floodRssMax = 0;
    for (let tick = 0; tick < FLOOD_S * 10; tick++) {
      owed += perTick;
      let chunk = '';
      while (owed >= 1) {
        chunk += oom();
        owed -= 1;
        written += 1;
      }
      if (chunk) appendFileSync(log, chunk);
      await sleep(100);
      if (tick % 10 === 0) floodRssMax = Math.max(floodRssMax, rssKb(pid));
    }
    await sleep(1500); // let the last poll land
    const floodCpu = ((cpuTicks(pid) - c0) / CLK_TCK / ((performance.now() - t0) / 1000)) * 100;
    const floodRss = rssKb(pid);

    // Burst: a minute's worth at once.
    let burst = '';
    for (let i = 0; i < LINES_PER_MIN; i++) burst += oom();
    const c1 = cpuTicks(pid);
    appendFileSync(log, burst);
    written += LINES_PER_MIN;
    await sleep(3000);
    const burstCpuS = (cpuTicks(pid) - c1) / CLK_TCK;
    const burstRss = rssKb(pid);

    child.kill('SIGTERM');
    await new Promise((r) => child.once('close', r));
    console.log(`lines written: ${written}; OOMKilling events printed: ${events} standing for ${occurrences} occurrences`);
    console.log(
      [
        `node_baseline_rss_mb=${(baselineKb / 1024).toFixed(1)}`,
        `idle_rss_over_node_baseline=${(idleRss / baselineKb).toFixed(2)}`,
        `idle_cpu_pct=${idleCpu.toFixed(2)}`,
        `idle_rss_mb=${(idleRss / 1024).toFixed(1)}`,
        `idle_rss_max_mb=${(idleRssMax / 1024).toFixed(1)}`,
        `flood_lines_per_min=${LINES_PER_MIN}`,
        `flood_cpu_pct=${floodCpu.toFixed(2)}`,
        `flood_rss_mb=${(floodRss / 1024).toFixed(1)}`,
        `flood_rss_max_mb=${(floodRssMax / 1024).toFixed(1)}`,
        `burst_lines=${LINES_PER_MIN}`,
        `burst_cpu_s=${burstCpuS.toFixed(2)}`,
        `burst_rss_mb=${(burstRss / 1024).toFixed(1)}`,
        `lines=${written}`,
        `events=${events}`,
        `event_occurrences=${occurrences}`,
      ].join(' '),
    );
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
