// Unit health: a failed unit (managed, or in the configured watch list) is a
// problem condition; unit activity and restarts are metrics. The condition
// logic is pure; UnitHealth keeps the last condition per unit so a transition
// time only moves when the status does.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { UnitManager } from './unit-manager.js';
import { NoSuchUnitError } from './errors.js';
import { UnitWatcher, type WatchedUnit } from './unit-watcher.js';
import type { Logger } from '../../common/log.js';
import { isProblem, withTransition, type Condition } from '../../common/api/conditions.js';

/** One condition per unit: "UnitFailed:<unit>". */
export function conditionType(unit: string): string {
  return `UnitFailed:${unit}`;
}

/** Pure: the condition a unit's observed state gives, carrying the previous transition time when the status is unchanged. */
export function unitCondition(unit: WatchedUnit, previous: Condition | undefined, now: Date): Condition {
  let status: Condition['status'];
  let reason: string;
  let message: string;
  if (!unit.found) {
    status = 'True';
    reason = 'UnitNotFound';
    message = `${unit.name} is not known to systemd (no unit file)`;
  } else if (unit.state.activeState === 'failed') {
    status = 'True';
    reason = 'UnitFailed';
    const since = unit.state.since ? ` since ${unit.state.since.toISOString()}` : '';
    message = `${unit.name} failed${unit.state.result ? ` (result: ${unit.state.result})` : ''}${since}`;
  } else {
    status = 'False';
    reason = 'UnitNotFailed';
    message = `${unit.name} is ${unit.state.activeState} (${unit.state.subState})`;
  }
  return withTransition({ type: conditionType(unit.name), status, reason, message }, previous, now.getTime());
}

export interface UnitHealthOptions {
  registry: Registry;
  /** The units whose conditions and metrics exist from the start (label values initialised). */
  units: string[];
  now?: () => Date;
}

export class UnitHealth {
  private readonly conditionsByUnit = new Map<string, Condition>();
  private readonly lastRestarts = new Map<string, number>();
  private readonly active: Gauge<'unit'>;
  private readonly restarts: Counter<'unit'>;
  private readonly now: () => Date;

  constructor(private readonly options: UnitHealthOptions) {
    this.now = options.now ?? (() => new Date());
    this.active = new Gauge({
      name: 'hostpilot_unit_active',
      help: '1 when the systemd unit is active (ActiveState active, reloading or activating), else 0.',
      labelNames: ['unit'],
      registers: [options.registry],
    });
    this.restarts = new Counter({
      name: 'hostpilot_unit_restarts_total',
      help: "Automatic restarts systemd made of the unit (its NRestarts property), as observed by the agent.",
      labelNames: ['unit'],
      registers: [options.registry],
    });
    for (const unit of options.units) {
      this.active.set({ unit }, 0);
      this.restarts.inc({ unit }, 0);
    }
  }

  /** Takes one observation of a unit; returns its (possibly unchanged) condition. */
  observe(unit: WatchedUnit): Condition {
    const condition = unitCondition(unit, this.conditionsByUnit.get(unit.name), this.now());
    this.conditionsByUnit.set(unit.name, condition);
    const state = unit.found ? unit.state : undefined;
    this.active.set({ unit: unit.name }, state && ['active', 'reloading', 'activating'].includes(state.activeState) ? 1 : 0);
    if (state?.restarts !== undefined) {
      const last = this.lastRestarts.get(unit.name);
      // NRestarts counts from when systemd loaded the unit; it starts over after
      // a systemd re-exec, so a drop is a new baseline, not negative restarts.
      const delta = last === undefined || state.restarts < last ? state.restarts : state.restarts - last;
      if (delta > 0) this.restarts.inc({ unit: unit.name }, delta);
      this.lastRestarts.set(unit.name, state.restarts);
    }
    return condition;
  }

  conditions(): Condition[] {
    return [...this.conditionsByUnit.values()].sort((a, b) => a.type.localeCompare(b.type));
  }

  /** The conditions that are problems now. */
  problems(): Condition[] {
    return this.conditions().filter(isProblem);
  }
}

/**
 * One-shot check (the reboot flow's post-boot health check): reads each unit
 * now and returns the conditions of those that are failed or missing. An error
 * reaching systemd is thrown, not treated as healthy: unknown means no.
 */
export async function checkUnits(manager: UnitManager, units: string[], now: Date = new Date()): Promise<Condition[]> {
  const problems: Condition[] = [];
  for (const name of units) {
    let watched: WatchedUnit;
    try {
      watched = { name, found: true, state: await manager.getUnit(name) };
    } catch (err) {
      if (!(err instanceof NoSuchUnitError)) throw err;
      watched = { name, found: false };
    }
    const c = unitCondition(watched, undefined, now);
    if (isProblem(c)) problems.push(c);
  }
  return problems;
}

/**
 * Wires a watcher to a UnitHealth: each observed change updates conditions and
 * metrics, and `onCondition` hears every condition whose status changed (for
 * the problems area and the reboot flow).
 */
export async function startUnitHealth(
  manager: UnitManager,
  units: string[],
  health: UnitHealth,
  options: { onCondition?: (c: Condition) => void; logger?: Logger } = {},
): Promise<UnitWatcher> {
  const statusOf = new Map<string, string>();
  const watcher = new UnitWatcher(manager, units, {
    logger: options.logger,
    onChange: (unit) => {
      const c = health.observe(unit);
      if (statusOf.get(c.type) !== c.status) {
        statusOf.set(c.type, c.status);
        options.onCondition?.(c);
      }
    },
  });
  await watcher.start();
  return watcher;
}
