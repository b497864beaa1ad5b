// bench:report-flood — one real coordinator (SQLite store in a temp dir), and
// nodes streaming changing NodeReports as fast as they can (issue 15): the
// Acquire latency of a lock client quiet, then under 1, 4 and 20 flooding
// streams (each stream its own connection, all in one forked process, so the
// lock client's timings are not queued behind the flooder's own work).
//
//   npm run bench:report-flood -- [--samples 300] [--warmup-ms 1000] [--streams 1,4,20]
//
// Each sample is Acquire then Release of one slot by node "probe" (deadline
// 5 s; a miss counts as 5000 ms). Last line: key=value figures, the quiet
// p99 beside each flood p99 and their ratio.
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { hostpilotProto } from '../common/proto.js';
import { sampleAcquire } from './sim/acquire.js';
import { int } from './sim/args.js';
import { startBenchCoordinator } from './sim/coordinator.js';
import { cpuSeconds, loadAverage, peakRssMb } from './sim/proc.js';
import { forkReportFlood } from './sim/report-flood.js';
import { percentile } from './sim/schedule.js';

const USAGE = `Usage: npm run bench:report-flood -- [options]
  --samples N       Acquire calls per phase [300]
  --warmup-ms MS    flood running before a phase's samples [1000]
  --streams LIST    flooding streams per phase [1,4,20]
  --keep            keep the temp dir (coordinator log and store)
`;

async function counter(httpPort: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

const round = (x: number) => Math.round(x * 100) / 100;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { samples: { type: 'string' }, 'warmup-ms': { type: 'string' }, streams: { type: 'string' }, keep: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const samples = int(values, 'samples', 300, 1);
  const warmupMs = int(values, 'warmup-ms', 1000);
  const phases = (values.streams ?? '1,4,20').split(',').map((s) => {
    if (!/^\d+$/.test(s) || Number(s) < 1) throw new Error(`--streams: ${JSON.stringify(s)} is not a whole number >= 1`);
    return Number(s);
  });
  const say = (line: string) => process.stderr.write(`bench:report-flood: ${line}\n`);
  const coordinator = await startBenchCoordinator('report-flood', ['--group', 'default=1']);
  const locks = new (hostpilotProto().hostpilot.v1.Locks)(coordinator.address, grpc.credentials.createInsecure());
  const figures: Record<string, string | number> = {};
  try {
    say(`coordinator pid ${coordinator.pid} on ${coordinator.address}; load average ${loadAverage()}`);
    await sampleAcquire(locks, 20); // warm the connection and the JIT
    const quiet = await sampleAcquire(locks, samples);
    const quietP99 = percentile(quiet.ms, 99);
    figures.quiet_p50_ms = round(percentile(quiet.ms, 50));
    figures.quiet_p99_ms = round(quietP99);
    say(`quiet: p50 ${figures.quiet_p50_ms} ms, p99 ${figures.quiet_p99_ms} ms`);
    for (const streams of phases) {
      const cpu0 = cpuSeconds(coordinator.pid);
      const flooder = await forkReportFlood(coordinator.address, streams, `flood${streams}`);
      await new Promise((r) => setTimeout(r, warmupMs));
      const t0 = performance.now();
      const flood = await sampleAcquire(locks, samples);
      const seconds = (performance.now() - t0 + warmupMs) / 1000;
      const sent = await flooder.stop();
      const p99 = percentile(flood.ms, 99);
      const tag = `flood${streams}`;
      figures[`${tag}_p50_ms`] = round(percentile(flood.ms, 50));
      figures[`${tag}_p99_ms`] = round(p99);
      figures[`${tag}_p99_over_quiet`] = round(p99 / quietP99);
      figures[`${tag}_deadline_misses`] = flood.misses;
      figures[`${tag}_reports_per_s`] = Math.round(sent / seconds);
      figures[`${tag}_coordinator_cpu_pct`] = Math.round(((cpuSeconds(coordinator.pid) - cpu0) / seconds) * 100);
      say(`${streams} stream(s): p50 ${figures[`${tag}_p50_ms`]} ms, p99 ${figures[`${tag}_p99_ms`]} ms (${figures[`${tag}_p99_over_quiet`]}× quiet), ${flood.misses} deadline misses, ${figures[`${tag}_reports_per_s`]} reports/s sent; load average ${loadAverage()}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    figures.reports_throttled = await counter(coordinator.httpPort, 'hostpilot_report_throttled_total');
    figures.reports_coalesced = await counter(coordinator.httpPort, 'hostpilot_report_coalesced_total');
    figures.coordinator_peak_rss_mb = Math.round(peakRssMb(coordinator.pid));
    figures.load_avg = loadAverage();
    process.stdout.write(`${Object.entries(figures).map(([k, v]) => `${k}=${v}`).join(' ')}\n`);
    return 0;
  } finally {
    locks.close();
    await coordinator.stop(values.keep);
    if (values.keep) say(`kept ${coordinator.dir}`);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench:report-flood: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
