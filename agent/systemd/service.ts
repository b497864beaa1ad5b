// The systemd area inside the agent's run loop: watch unit health (conditions
// and metrics) and converge the declared units at start and then periodically.
// One call for agent/cli/run.ts to make; everything it starts stops with stop().
import { Counter, type Registry } from 'prom-client';
import { errorMessage } from '../../common/errors.js';
import { type Logger, silentLogger } from '../../common/log.js';
import { type ApplyReport, convergeUnits, describeStep } from './declarative.js';
import type { Condition } from '../../common/api/conditions.js';
import { UnitHealth, startUnitHealth } from './health.js';
import { UnitManager } from './unit-manager.js';
import type { UnitWatcher } from './unit-watcher.js';
import type { UnitsConfig } from './units-config.js';

export interface SystemdAreaOptions {
  units: UnitsConfig;
  registry: Registry;
  logger?: Logger;
  busAddress?: string;
  /** Default 5 min; 0 converges only at start. */
  convergeIntervalMs?: number;
  /** Hears every unit condition whose status changed. */
  onCondition?: (c: Condition) => void;
}

export interface SystemdArea {
  manager: UnitManager;
  health: UnitHealth;
  /** One converge now (also what the periodic loop runs). */
  converge(): Promise<ApplyReport | undefined>;
  stop(): void;
}

export async function startSystemdArea(options: SystemdAreaOptions): Promise<SystemdArea> {
  const logger = options.logger ?? silentLogger;
  const manager = new UnitManager({ busAddress: options.busAddress });
  const watched = [...new Set([...options.units.manage.map((u) => u.name), ...options.units.watch])];
  const health = new UnitHealth({ registry: options.registry, units: watched });
  const converges = new Counter({
    name: 'hostpilot_unit_converge_total',
    help: 'Converge runs of the declared units, by result (unchanged, changed, failed).',
    labelNames: ['result'],
    registers: [options.registry],
  });
  for (const result of ['unchanged', 'changed', 'failed']) converges.inc({ result }, 0);

  let watcher: UnitWatcher | undefined;
  if (watched.length > 0) {
    watcher = await startUnitHealth(manager, watched, health, { logger, onCondition: options.onCondition });
  }

  let running: Promise<ApplyReport | undefined> | undefined;
  const converge = (): Promise<ApplyReport | undefined> => {
    if (options.units.manage.length === 0) return Promise.resolve(undefined);
    // One at a time: a slow daemon-reload must not overlap the next tick.
    running ??= (async () => {
      try {
        const { report } = await convergeUnits(options.units, manager);
        const r = report!;
        converges.inc({ result: !r.ok ? 'failed' : r.changed ? 'changed' : 'unchanged' });
        for (const s of r.steps) {
          if (s.outcome === 'done') logger.info('unit converged', { step: describeStep(s.step) });
          else logger.warn('unit not converged', { step: describeStep(s.step), outcome: s.outcome, error: s.error });
        }
        return r;
      } catch (err) {
        converges.inc({ result: 'failed' });
        logger.warn('converging units failed', { error: errorMessage(err) });
        return undefined;
      } finally {
        running = undefined;
      }
    })();
    return running;
  };

  const intervalMs = options.convergeIntervalMs ?? 300_000;
  let timer: NodeJS.Timeout | undefined;
  if (options.units.manage.length > 0) {
    void converge();
    if (intervalMs > 0) {
      timer = setInterval(() => void converge(), intervalMs);
      timer.unref();
    }
  }

  return {
    manager,
    health,
    converge,
    stop() {
      clearInterval(timer);
      watcher?.stop();
      manager.close();
    },
  };
}
