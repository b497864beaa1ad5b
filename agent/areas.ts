// The agent's areas besides the reboot flow, each started only when its
// configuration asks for it: systemd units, node problems, the pod network,
// the thin pool, node metrics. Each hands its conditions to the hub and its
// stop to `closers`.
import type { Registry } from 'prom-client';
import type { CommandRunner } from '../common/exec/runner.js';
import type { Logger } from '../common/log.js';
import type { AgentConfig } from './config.js';
import type { ConditionHub } from './conditions.js';
import { NodeMetricsCollector, SystemNodeStatsSource, detectHostPaths } from './metrics/node-metrics.js';
import { PodNetworkReconciler } from './net/reconciler.js';
import { ProblemDetector } from './problems/detector.js';
import { ThinPoolWatch } from './storage/watch.js';
import { startSystemdArea, type SystemdArea } from './systemd/service.js';

export interface AreaDeps {
  runner: CommandRunner;
  registry: Registry;
  log: Logger;
  conditions: ConditionHub;
  closers: Array<() => Promise<void> | void>;
}

export interface Areas {
  systemd?: SystemdArea;
  problems: ProblemDetector;
}

export async function startAreas(config: AgentConfig, deps: AreaDeps): Promise<Areas> {
  const { runner, registry, log, conditions, closers } = deps;

  // The systemd area: declared units and unit health, when the config asks for any.
  let systemd: SystemdArea | undefined;
  if (config.units.manage.length > 0 || config.units.watch.length > 0) {
    const area = await startSystemdArea({ units: config.units, registry, logger: log.child({ area: 'systemd' }) });
    systemd = area;
    conditions.add('units', () => area.health.conditions());
    closers.push(() => area.stop());
  }

  // Node problems (node-problem-detector's monitors): conditions that block reboots and fail health checks.
  const problems = new ProblemDetector({
    configPaths: config.monitorDirs,
    configs: config.monitors,
    runner,
    registry,
    logger: log.child({ area: 'problems' }),
    statePath: config.paths.conditions,
  });
  conditions.add('problems', () => problems.conditions());
  closers.push(() => problems.stop());
  await problems.start();

  if (config.podNetwork) {
    const net = new PodNetworkReconciler({ runner, registry, stateDir: config.cniStateDir, logger: log.child({ area: 'net' }) });
    // Drift the reconciler repaired is reported (metrics, message) but is no longer a problem; drift it could not repair is.
    conditions.add('pod-network', () => {
      const c = net.condition();
      return [{ ...c, status: c.status === 'True' && c.reason === 'RepairFailed' ? 'True' : 'False' }];
    });
    net.start(30_000);
    closers.push(() => net.stop());
  }

  // The container runtime's thin pool, when this node has one configured.
  if (config.storageConfig) {
    const watch = new ThinPoolWatch(runner, config.storageConfig, registry);
    conditions.add('thin-pool', () => watch.current());
    const check = () => void watch.check().catch((err: unknown) => log.warn('thin pool check failed', { err }));
    check();
    const timer = setInterval(check, 30_000);
    closers.push(() => clearInterval(timer));
  }

  // Node metrics for Prometheus, collected off the scrape path.
  const nodeMetrics = new NodeMetricsCollector({ registry, source: new SystemNodeStatsSource(await detectHostPaths()), intervalMs: 15_000, logger: log.child({ area: 'node-metrics' }) });
  void nodeMetrics.start();
  closers.push(() => nodeMetrics.stop());

  return { ...(systemd ? { systemd } : {}), problems };
}
