// bench:footprint — the node-metrics collector against Debian's prometheus-node-exporter,
// in the same run on the same machine, as ratios:
//  1. idle: RSS and CPU over a window without scrapes (the collector still collects
//     every 15s; node_exporter does nothing until scraped);
//  2. steady: CPU over a window in which both are scraped every 15s, as Prometheus would;
//  3. the latency of one /metrics scrape (median of several, alternating the two).
//   npm run bench:footprint     (FOOTPRINT_IDLE_SECONDS=60 FOOTPRINT_SCRAPES=21 to change)
// The two servers are long-running children started with spawn in their own process
// group and killed in `finally`; the agent's CommandRunner is for commands that end.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const IDLE_SECONDS = Number(process.env.FOOTPRINT_IDLE_SECONDS ?? '60');
const SCRAPES = Number(process.env.FOOTPRINT_SCRAPES ?? '21');
const INTERVAL_MS = 15_000; // the collector's default interval, and Prometheus' default scrape interval
const CLK_TCK = 100; // USER_HZ on Linux

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** CPU seconds (user+system) and RSS bytes of a process, from /proc. */
function usage(pid: number): { cpuSeconds: number; rssBytes: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  const rss = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpuSeconds, rssBytes: Number(rss?.[1] ?? 0) * 1024 };
}

async function scrape(port: number): Promise<{ ms: number; bytes: number; series: number }> {
  const start = performance.now();
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  const text = await res.text();
  const ms = performance.now() - start;
  if (res.status !== 200) throw new Error(`scrape of :${port} answered ${res.status}`);
  return { ms, bytes: text.length, series: text.split('\n').filter((l) => l && !l.startsWith('#')).length };
}

async function waitReady(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`${child.spawnfile} exited with ${child.exitCode}`);
    try {
      await scrape(port);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`nothing answers on 127.0.0.1:${port}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number, d = 2) => Number(x.toFixed(d));

async function main(): Promise<void> {
  const here = dirname(fileURLToPath(import.meta.url));
  const [nePort, hpPort] = [await freePort(), await freePort()];
  const children: ChildProcess[] = [];
  const start = (cmd: string, args: string[]) => {
    const c = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    c.stderr?.resume();
    children.push(c);
    return c;
  };
  try {
    const ne = start('prometheus-node-exporter', [`--web.listen-address=127.0.0.1:${nePort}`]);
    const hp = start(process.execPath, [join(here, 'footprint-collector.js'), String(hpPort), String(INTERVAL_MS)]);
    await Promise.all([waitReady(nePort, ne), waitReady(hpPort, hp)]);
    // One warm-up scrape each (first-call allocations, CPU usage baselines).
    await scrape(nePort);
    await scrape(hpPort);
    await sleep(2000);

    const u0 = { ne: usage(ne.pid!), hp: usage(hp.pid!) };
    await sleep(IDLE_SECONDS * 1000);
    const u1 = { ne: usage(ne.pid!), hp: usage(hp.pid!) };
    // Steady: scraped every 15s for the same length of time.
    const s0 = { ne: usage(ne.pid!), hp: usage(hp.pid!) };
    const cycles = Math.max(1, Math.round(IDLE_SECONDS / (INTERVAL_MS / 1000)));
    for (let i = 0; i < cycles; i++) {
      await Promise.all([scrape(nePort), scrape(hpPort)]);
      await sleep(INTERVAL_MS);
    }
    const s1 = { ne: usage(ne.pid!), hp: usage(hp.pid!) };
    const steadySeconds = (cycles * INTERVAL_MS) / 1000;
    const steady = {
      neCpuPct: ((s1.ne.cpuSeconds - s0.ne.cpuSeconds) / steadySeconds) * 100,
      hpCpuPct: ((s1.hp.cpuSeconds - s0.hp.cpuSeconds) / steadySeconds) * 100,
    };
    const idle = {
      neCpuPct: ((u1.ne.cpuSeconds - u0.ne.cpuSeconds) / IDLE_SECONDS) * 100,
      hpCpuPct: ((u1.hp.cpuSeconds - u0.hp.cpuSeconds) / IDLE_SECONDS) * 100,
      neRssMb: u1.ne.rssBytes / 2 ** 20,
      hpRssMb: u1.hp.rssBytes / 2 ** 20,
    };

    // Alternate the two so both see the same machine load.
    const lat: { ne: number[]; hp: number[] } = { ne: [], hp: [] };
    let neLast = { bytes: 0, series: 0 };
    let hpLast = { bytes: 0, series: 0 };
    for (let i = 0; i < SCRAPES; i++) {
      const a = await scrape(nePort);
      const b = await scrape(hpPort);
      lat.ne.push(a.ms);
      lat.hp.push(b.ms);
      neLast = a;
      hpLast = b;
    }
    const after = { ne: usage(ne.pid!), hp: usage(hp.pid!) };

    const figures = {
      idle_seconds: IDLE_SECONDS,
      collector_rss_mb: round(idle.hpRssMb, 1),
      node_exporter_rss_mb: round(idle.neRssMb, 1),
      rss_ratio: round(idle.hpRssMb / idle.neRssMb),
      collector_idle_cpu_pct: round(idle.hpCpuPct, 3),
      node_exporter_idle_cpu_pct: round(idle.neCpuPct, 3),
      idle_cpu_ratio: idle.neCpuPct > 0 ? round(idle.hpCpuPct / idle.neCpuPct) : 'n/a',
      collector_scraped_cpu_pct: round(steady.hpCpuPct, 3),
      node_exporter_scraped_cpu_pct: round(steady.neCpuPct, 3),
      scraped_cpu_ratio: steady.neCpuPct > 0 ? round(steady.hpCpuPct / steady.neCpuPct) : 'n/a',
      collector_scrape_ms_p50: round(median(lat.hp)),
      node_exporter_scrape_ms_p50: round(median(lat.ne)),
      scrape_latency_ratio: round(median(lat.hp) / median(lat.ne)),
      collector_series: hpLast.series,
      node_exporter_series: neLast.series,
      collector_rss_after_scrapes_mb: round(after.hp.rssBytes / 2 ** 20, 1),
      node_exporter_rss_after_scrapes_mb: round(after.ne.rssBytes / 2 ** 20, 1),
    };
    process.stdout.write(
      `idle ${IDLE_SECONDS}s without scrapes (collector collects every ${INTERVAL_MS / 1000}s; node_exporter collects per scrape), ${steadySeconds}s scraped every ${INTERVAL_MS / 1000}s, then ${SCRAPES} back-to-back scrapes each, alternating\n`,
    );
    process.stdout.write(Object.entries(figures).map(([k, v]) => `${k}=${v}`).join(' ') + '\n');
  } finally {
    for (const c of children) {
      try {
        if (c.pid) process.kill(-c.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  }
}

await main();
