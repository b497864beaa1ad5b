// Declarative units: converge the units named in the config to their desired
// files, enablement and run state, and report drift. Three parts:
//   observeUnits  — reads files under the root and asks systemd (I/O)
//   planUnits     — pure: desired + observed -> ordered steps (the drift)
//   applyPlan     — runs the steps (I/O)
// Only the units in the config are read or touched; in their drop-in
// directories only files carrying hostpilot's marker line are ever removed.
import { readFile, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../../common/errors.js';
import { writeFileAtomic } from '../../common/fs.js';
import { NoSuchUnitError } from './errors.js';
import type { UnitManager } from './unit-manager.js';
import type { ManagedUnit, UnitsConfig } from './units-config.js';

/** First line of every file hostpilot writes; how it recognises its own drop-ins. */
export const MANAGED_MARKER = '# Managed by hostpilot (units config): local edits are overwritten.';

export interface ObservedUnit {
  name: string;
  /** Content of <root>/<name>, or null when there is none. */
  unitFile: string | null;
  /** Every *.conf in <root>/<name>.d. */
  dropIns: Record<string, string>;
  /** systemd's unit file state (enabled, disabled, static, masked, ...) or "not-found". */
  fileState: string;
  /** ActiveState, or "not-found". */
  activeState: string;
}

export type Step =
  | { kind: 'write'; unit: string; path: string; content: string; detail: string }
  | { kind: 'remove'; unit: string; path: string; detail: string }
  | { kind: 'daemon-reload'; detail: string }
  | { kind: 'enable' | 'disable' | 'start' | 'stop' | 'restart'; unit: string; detail: string }
  /** Desired state that cannot be reached by acting (e.g. enabling a static unit): drift, but no step runs. */
  | { kind: 'cannot'; unit: string; detail: string };

const ENABLED_STATES = new Set(['enabled', 'enabled-runtime']);
const RUNNING_STATES = new Set(['active', 'activating', 'reloading']);
const NOT_ENABLEABLE = new Set(['static', 'indirect', 'generated', 'transient', 'masked', 'masked-runtime', 'alias']);

export function managedContent(content: string): string {
  return `${MANAGED_MARKER}\n${content}`;
}

export function unitFilePath(root: string, unit: string): string {
  return join(root, unit);
}

export function dropInPath(root: string, unit: string, file: string): string {
  return join(root, `${unit}.d`, file);
}

/** Pure: the steps that take the observed state to the config, in the order they must run. An empty list means in sync. */
export function planUnits(config: UnitsConfig, observed: ReadonlyMap<string, ObservedUnit>): Step[] {
  const fileSteps: Step[] = [];
  const enableSteps: Step[] = [];
  const runSteps: Step[] = [];
  for (const unit of config.manage) {
    const obs = observed.get(unit.name) ?? { name: unit.name, unitFile: null, dropIns: {}, fileState: 'not-found', activeState: 'not-found' };
    const files = planFiles(config.root, unit, obs);
    fileSteps.push(...files);
    const filesChanged = files.length > 0;
    // A unit that had no file before will have one once written.
    const fileState = obs.fileState === 'not-found' && unit.content !== undefined ? 'disabled' : obs.fileState;
    if (unit.enabled === true && !ENABLED_STATES.has(fileState)) {
      if (NOT_ENABLEABLE.has(fileState) || fileState === 'not-found') {
        enableSteps.push({ kind: 'cannot', unit: unit.name, detail: `wanted enabled, but its unit file state is ${fileState}` });
      } else {
        enableSteps.push({ kind: 'enable', unit: unit.name, detail: `unit file state ${fileState}` });
      }
    } else if (unit.enabled === false && ENABLED_STATES.has(fileState)) {
      enableSteps.push({ kind: 'disable', unit: unit.name, detail: `unit file state ${fileState}` });
    }
    const running = RUNNING_STATES.has(obs.activeState);
    if (unit.running === true && !running) {
      runSteps.push({ kind: 'start', unit: unit.name, detail: `was ${obs.activeState}` });
    } else if (unit.running === false && (running || obs.activeState === 'deactivating')) {
      runSteps.push({ kind: 'stop', unit: unit.name, detail: `was ${obs.activeState}` });
    } else if (unit.running !== false && running && filesChanged) {
      runSteps.push({ kind: 'restart', unit: unit.name, detail: 'its unit file or drop-ins changed' });
    }
  }
  const steps: Step[] = [...fileSteps];
  if (fileSteps.length > 0) steps.push({ kind: 'daemon-reload', detail: 'unit files changed' });
  steps.push(...enableSteps);
  if (enableSteps.some((s) => s.kind === 'enable' || s.kind === 'disable')) steps.push({ kind: 'daemon-reload', detail: 'enablement changed' });
  steps.push(...runSteps);
  return steps;
}

function planFiles(root: string, unit: ManagedUnit, obs: ObservedUnit): Step[] {
  const steps: Step[] = [];
  if (unit.content !== undefined) {
    const want = managedContent(unit.content);
    if (obs.unitFile !== want) {
      steps.push({ kind: 'write', unit: unit.name, path: unitFilePath(root, unit.name), content: want, detail: obs.unitFile === null ? 'unit file missing' : 'unit file differs' });
    }
  }
  for (const [file, content] of Object.entries(unit.dropIns)) {
    const want = managedContent(content);
    const have = obs.dropIns[file];
    if (have !== want) {
      steps.push({ kind: 'write', unit: unit.name, path: dropInPath(root, unit.name, file), content: want, detail: have === undefined ? `drop-in ${file} missing` : `drop-in ${file} differs` });
    }
  }
  for (const [file, content] of Object.entries(obs.dropIns).sort(([a], [b]) => a.localeCompare(b))) {
    if (!(file in unit.dropIns) && content.startsWith(MANAGED_MARKER + '\n')) {
      steps.push({ kind: 'remove', unit: unit.name, path: dropInPath(root, unit.name, file), detail: `drop-in ${file} no longer configured` });
    }
  }
  return steps;
}

/** True when the plan changes something (a "cannot" is drift but no change). */
export function planChanges(steps: readonly Step[]): boolean {
  return steps.some((s) => s.kind !== 'cannot');
}

async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Reads what exists now for each managed unit: files under the root, and systemd's view. */
export async function observeUnits(config: UnitsConfig, manager: UnitManager): Promise<Map<string, ObservedUnit>> {
  const out = new Map<string, ObservedUnit>();
  for (const unit of config.manage) {
    const unitFile = await readOptional(unitFilePath(config.root, unit.name));
    const dropIns: Record<string, string> = {};
    const dir = join(config.root, `${unit.name}.d`);
    let entries: string[] = [];
    try {
      entries = await readdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    for (const file of entries.filter((e) => e.endsWith('.conf')).sort()) {
      const text = await readOptional(join(dir, file));
      if (text !== null) dropIns[file] = text;
    }
    let fileState = 'not-found';
    try {
      fileState = await manager.unitFileState(unit.name);
    } catch (err) {
      if (!(err instanceof NoSuchUnitError)) throw err;
    }
    let activeState = 'not-found';
    try {
      activeState = (await manager.getUnit(unit.name)).activeState;
    } catch (err) {
      if (!(err instanceof NoSuchUnitError)) throw err;
    }
    out.set(unit.name, { name: unit.name, unitFile, dropIns, fileState, activeState });
  }
  return out;
}

export interface StepOutcome {
  step: Step;
  outcome: 'done' | 'failed' | 'skipped';
  error?: string;
}

export interface ApplyReport {
  changed: boolean;
  ok: boolean;
  steps: StepOutcome[];
}

/**
 * Runs the steps in order. A failed step of one unit skips that unit's later
 * steps but not the others'; a failed daemon-reload skips everything after it.
 */
export async function applyPlan(steps: readonly Step[], manager: UnitManager): Promise<ApplyReport> {
  const failedUnits = new Set<string>();
  let halted = false;
  const outcomes: StepOutcome[] = [];
  for (const step of steps) {
    const unit = 'unit' in step ? step.unit : undefined;
    if (step.kind === 'cannot' || halted || (unit && failedUnits.has(unit))) {
      outcomes.push({ step, outcome: 'skipped', ...(step.kind === 'cannot' ? { error: step.detail } : {}) });
      continue;
    }
    try {
      switch (step.kind) {
        case 'write':
          await writeFileAtomic(step.path, step.content, { mode: 0o644 });
          break;
        case 'remove':
          await unlink(step.path);
          break;
        case 'daemon-reload':
          await manager.daemonReload();
          break;
        case 'enable':
          await manager.enable([step.unit]);
          break;
        case 'disable':
          await manager.disable([step.unit]);
          break;
        case 'start':
          await manager.start(step.unit);
          break;
        case 'stop':
          await manager.stop(step.unit);
          break;
        case 'restart':
          await manager.restart(step.unit);
          break;
        default: {
          const never: never = step;
          throw new Error(`unknown step ${JSON.stringify(never)}`);
        }
      }
      outcomes.push({ step, outcome: 'done' });
    } catch (err) {
      outcomes.push({ step, outcome: 'failed', error: errorMessage(err) });
      if (unit) failedUnits.add(unit);
      else halted = true;
    }
  }
  return {
    changed: outcomes.some((o) => o.outcome === 'done'),
    // A "cannot" leaves drift behind, so it is not ok either.
    ok: outcomes.every((o) => o.outcome === 'done'),
    steps: outcomes,
  };
}

/** Observe, plan, apply (or only plan with dryRun). */
export async function convergeUnits(config: UnitsConfig, manager: UnitManager, options: { dryRun?: boolean } = {}): Promise<{ plan: Step[]; report?: ApplyReport }> {
  const observed = await observeUnits(config, manager);
  const plan = planUnits(config, observed);
  if (options.dryRun) return { plan };
  return { plan, report: await applyPlan(plan, manager) };
}

/** One line per step, for people. */
export function describeStep(step: Step): string {
  switch (step.kind) {
    case 'write':
      return `write ${step.path} (${step.detail})`;
    case 'remove':
      return `remove ${step.path} (${step.detail})`;
    case 'daemon-reload':
      return `daemon-reload (${step.detail})`;
    case 'cannot':
      return `cannot converge ${step.unit}: ${step.detail}`;
    default:
      return `${step.kind} ${step.unit} (${step.detail})`;
  }
}
