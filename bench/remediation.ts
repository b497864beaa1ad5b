// bench:remediation — the remediation controller in the fleet simulator
// (bench/sim/remediation-sim.ts: the coordinator's real parts on a SQLite file,
// simulated agents and clock). A burst of failures hits a share of the fleet at
// once, spread over its pools; faults differ in what repairs them (restarting
// the unit, a reboot, nothing). Measured in simulated time: from a node going
// unhealthy to repaired (median, p95), and the fleet's availability (nodes up,
// not faulty and not rebooting) during the burst, mean and lowest. The peer,
// in the same run on an identical burst: reboot-first remediation (what
// self-node-remediation and MachineHealthCheck do: the first step is a reboot
// or a new machine). Real time per remediation pass is measured too.
//
//   npm run bench:remediation -- [--nodes 1000] [--pools 10] [--burst-percent 5] [--reboot-min 5]
//
// Last line: key=value figures.
import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { int } from './sim/args.js';
import { loadAverage } from './sim/proc.js';
import { RemediationSim, nodeIds, policyDocument, type FaultCure } from './sim/remediation-sim.js';
import { percentile } from './sim/schedule.js';

const USAGE = `Usage: npm run bench:remediation -- [options]
  --nodes N            simulated nodes [1000]
  --pools P            pools, nodes spread evenly [10]
  --burst-percent B    share of the fleet failing at once [5]
  --reboot-min M       simulated minutes a reboot takes [5]
  --max-unavailable U  nodes down per pool at once (a handed-over node keeps its place) [2]
`;

const MIN = 60_000;
const { values } = parseArgs({ options: { nodes: { type: 'string' }, pools: { type: 'string' }, 'burst-percent': { type: 'string' }, 'reboot-min': { type: 'string' }, 'max-unavailable': { type: 'string' }, help: { type: 'boolean' } } });
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const nodes = int(values, 'nodes', 1000, 10);
const poolCount = int(values, 'pools', 10, 1);
const burstPercent = int(values, 'burst-percent', 5, 1);
const rebootMin = int(values, 'reboot-min', 5, 1);
const maxUnavailable = int(values, 'max-unavailable', 2, 1);

const CONDITIONS = [{ type: 'KubeletUnhealthy', for: '2m' }];

interface Run {
  repairMs: number[];
  handedOver: number;
  meanAvailability: number;
  minAvailability: number;
  simulatedMin: number;
  passMs: number[];
}

async function run(steps: unknown[]): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'hostpilot-bench-remediation-'));
  const pools: Record<string, string[]> = {};
  for (let p = 0; p < poolCount; p++) pools[`pool-${p}`] = nodeIds(`p${p}`, Math.floor(nodes / poolCount));
  const sim = await RemediationSim.open({ storePath: join(dir, 'coordinator.db'), pools, slots: poolCount * maxUnavailable, rebootMs: rebootMin * MIN, startAt: Date.UTC(2026, 0, 7) });
  try {
    await sim.apply([policyDocument('fleet', { conditions: CONDITIONS, steps, maxUnhealthy: '10%', maxUnavailable })]);
    await sim.step(MIN);
    // The burst: every pool loses the same share; 6 in 10 faults a unit restart repairs, 3 a reboot, 1 nothing.
    const cures: FaultCure[] = [{ by: 'restart', unit: 'kubelet.service' }, { by: 'reboot' }, { by: 'restart', unit: 'kubelet.service' }, { by: 'reboot' }, { by: 'restart', unit: 'kubelet.service' }, { by: 'nothing' }, { by: 'restart', unit: 'kubelet.service' }, { by: 'reboot' }, { by: 'restart', unit: 'kubelet.service' }, { by: 'restart', unit: 'kubelet.service' }];
    let k = 0;
    for (const ids of Object.values(pools)) {
      const n = Math.round((ids.length * burstPercent) / 100);
      for (const id of ids.slice(0, n)) sim.fail(id, 'KubeletUnhealthy', cures[k++ % cures.length]!);
    }
    const incurable = new Set([...sim.agents.values()].filter((a) => a.fault?.cure.by === 'nothing').map((a) => a.id));
    const samples: number[] = [];
    const passMs: number[] = [];
    let minutes = 0;
    // Until every curable fault is repaired and every incurable node is handed over (cordoned).
    while (minutes < 24 * 60) {
      samples.push(sim.availability());
      const left = sim.unhealthy().filter((id) => !incurable.has(id) || !sim.agents.get(id)!.cordoned);
      if (left.length === 0) break;
      const t = performance.now();
      await sim.step(MIN);
      passMs.push(performance.now() - t);
      minutes++;
    }
    return {
      repairMs: sim.repairs.map((r) => r.ms),
      handedOver: [...incurable].filter((id) => sim.agents.get(id)!.cordoned).length,
      meanAvailability: samples.reduce((a, b) => a + b, 0) / samples.length,
      minAvailability: Math.min(...samples),
      simulatedMin: minutes,
      passMs,
    };
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const ladder = await run([{ action: 'restart-unit', unit: 'kubelet.service', timeout: '3m' }, { action: 'reboot', timeout: '20m' }, { action: 'reprovision' }]);
const rebootFirst = await run([{ action: 'reboot', timeout: '20m' }, { action: 'reprovision' }]);

const fmt = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : 'NaN');
const min = (ms: number) => ms / MIN;
const figures = {
  nodes,
  pools: poolCount,
  burst_percent: burstPercent,
  reboot_min: rebootMin,
  max_unavailable: maxUnavailable,
  repaired: ladder.repairMs.length,
  handed_over: ladder.handedOver,
  repair_min_p50: fmt(min(percentile(ladder.repairMs, 50))),
  repair_min_p95: fmt(min(percentile(ladder.repairMs, 95))),
  availability_mean: fmt(ladder.meanAvailability * 100, 2),
  availability_min: fmt(ladder.minAvailability * 100, 2),
  burst_over_min: ladder.simulatedMin,
  reboot_first_repair_min_p50: fmt(min(percentile(rebootFirst.repairMs, 50))),
  reboot_first_repair_min_p95: fmt(min(percentile(rebootFirst.repairMs, 95))),
  reboot_first_availability_mean: fmt(rebootFirst.meanAvailability * 100, 2),
  reboot_first_burst_over_min: rebootFirst.simulatedMin,
  ratio_repair_p50_vs_reboot_first: fmt(percentile(ladder.repairMs, 50) / percentile(rebootFirst.repairMs, 50), 2),
  ratio_burst_over_vs_reboot_first: fmt(ladder.simulatedMin / rebootFirst.simulatedMin, 2),
  sim_step_ms_p50: fmt(percentile(ladder.passMs, 50)),
  sim_step_ms_p95: fmt(percentile(ladder.passMs, 95)),
  load: loadAverage().replace(/ /g, ','),
};
process.stdout.write(`${Object.entries(figures).map(([k, v]) => `${k}=${v}`).join(' ')}\n`);
