// The units and drop-ins of a rendered config, converged through the systemd
// area's declarative code (agent/systemd/declarative.ts: files under
// /etc/systemd/system, daemon-reload, enable/disable, start/stop, restart of
// units whose files changed) plus masking, which that code does not do.
// Only the units the config names are read or touched.
import type { ManagedUnit } from '../../common/api/node-config.js';
import { errorMessage } from '../../common/errors.js';
import { applyPlan, describeStep, observeUnits, planUnits, type Step } from '../systemd/declarative.js';
import { NoSuchUnitError } from '../systemd/errors.js';
import type { UnitManager } from '../systemd/unit-manager.js';
import type { UnitsConfig } from '../systemd/units-config.js';
import type { DriftItem } from './drift.js';

type MaskStep = { kind: 'mask' | 'unmask' | 'stop'; unit: string; detail: string };

export interface UnitPlan {
  /** Masking changes, run first (an unmasked unit can then be enabled and started). */
  masks: MaskStep[];
  /** The declarative steps for the units that are not (to be) masked. */
  steps: Step[];
  /** Units the config wants active that systemd shows failed. */
  failed: string[];
}

const RUNNING = new Set(['active', 'activating', 'reloading']);

/** The systemd area's view of the units that are neither masked nor about to be unmasked. */
function declarative(units: readonly ManagedUnit[], unitDir: string): UnitsConfig {
  return {
    root: unitDir,
    watch: [],
    manage: units.map((u) => ({
      name: u.name,
      ...(u.contents !== undefined ? { content: u.contents } : {}),
      dropIns: Object.fromEntries((u.dropIns ?? []).map((d) => [d.name, d.contents])),
      ...(u.enabled !== undefined ? { enabled: u.enabled } : {}),
      ...(u.active !== undefined ? { running: u.active } : {}),
    })),
  };
}

async function fileState(manager: UnitManager, unit: string): Promise<string> {
  try {
    return await manager.unitFileState(unit);
  } catch (err) {
    if (err instanceof NoSuchUnitError) return 'not-found';
    throw err;
  }
}

async function activeState(manager: UnitManager, unit: string): Promise<string> {
  try {
    return (await manager.getUnit(unit)).activeState;
  } catch (err) {
    if (err instanceof NoSuchUnitError) return 'not-found';
    throw err;
  }
}

/**
 * Reads the units and plans. `restart`: whether units whose files change are
 * restarted (a config rolled out with disruption "none" restarts nothing).
 */
export async function planManagedUnits(units: readonly ManagedUnit[], unitDir: string, manager: UnitManager, options: { restart: boolean }): Promise<UnitPlan> {
  const masks: MaskStep[] = [];
  const plain: ManagedUnit[] = [];
  for (const unit of units) {
    const state = await fileState(manager, unit.name);
    if (unit.masked) {
      if (state !== 'masked') {
        if (RUNNING.has(await activeState(manager, unit.name))) masks.push({ kind: 'stop', unit: unit.name, detail: 'to be masked' });
        masks.push({ kind: 'mask', unit: unit.name, detail: `unit file state ${state}, want masked` });
      }
    } else if (state === 'masked') {
      masks.push({ kind: 'unmask', unit: unit.name, detail: 'masked, want unmasked' });
    } else {
      plain.push(unit);
    }
  }
  const config = declarative(plain, unitDir);
  const observed = await observeUnits(config, manager);
  let steps = planUnits(config, observed);
  if (!options.restart) steps = steps.filter((s) => s.kind !== 'restart');
  const failed = plain.filter((u) => u.active === true && observed.get(u.name)?.activeState === 'failed').map((u) => u.name);
  return { masks, steps, failed };
}

/** Pure: the plan as drift (daemon-reload and restarts are consequences, not drift). */
export function unitDrift(plan: UnitPlan): DriftItem[] {
  const out: DriftItem[] = plan.masks.filter((m) => m.kind !== 'stop').map((m) => ({ kind: 'unit', name: m.unit, detail: m.detail }));
  for (const s of plan.steps) {
    if (s.kind === 'daemon-reload' || s.kind === 'restart') continue;
    out.push({ kind: 'unit', name: s.unit, detail: describeStep(s) });
  }
  return out;
}

export interface UnitApply {
  changed: string[];
  failures: string[];
}

/** Runs the masking steps, then (once units that were unmasked can be seen) the declarative plan again from fresh observations. */
export async function applyManagedUnits(units: readonly ManagedUnit[], unitDir: string, manager: UnitManager, options: { restart: boolean }): Promise<UnitApply> {
  const changed: string[] = [];
  const failures: string[] = [];
  const first = await planManagedUnits(units, unitDir, manager, options);
  for (const m of first.masks) {
    try {
      if (m.kind === 'stop') await manager.stop(m.unit);
      else if (m.kind === 'mask') await manager.mask([m.unit]);
      else await manager.unmask([m.unit]);
      changed.push(`${m.kind} ${m.unit}`);
    } catch (err) {
      failures.push(`${m.kind} ${m.unit}: ${errorMessage(err)}`);
    }
  }
  let plan = first;
  if (first.masks.length > 0) {
    await manager.daemonReload();
    plan = await planManagedUnits(units, unitDir, manager, options);
  }
  const report = await applyPlan(plan.steps, manager);
  for (const s of report.steps) {
    if (s.outcome === 'done') changed.push(describeStep(s.step));
    else failures.push(`${describeStep(s.step)}: ${s.error ?? s.outcome}`);
  }
  return { changed, failures };
}
