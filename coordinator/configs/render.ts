// Rendering: every NodeConfig that selects a pool, merged in name order into
// one RenderedConfig (as the machine-config-operator renders MachineConfigs
// into one config per pool). Two configs that say different things about the
// same path, drop-in, sysctl or unit property, or that append and delete the
// same kernel argument, are a conflict naming both: the set that would cause it
// is refused whole. Pure: no store, no clock.
import { parseMode, type NodeConfigSpec } from '../../common/api/kinds/node-config.js';
import { canonicalJson } from '../../common/api/fields.js';
import { MAX_ITEMS, MAX_RENDERED_BYTES, type ManagedDropIn, type ManagedFile, type ManagedUnit, type RenderedConfig } from '../../common/api/node-config.js';
import { FailedPreconditionError } from '../../common/errors.js';

export interface NamedConfig {
  name: string;
  spec: NodeConfigSpec;
}

/** Rendered configs of pools no selector names (only configs without a selector apply there) are checked under this name. */
export const ANY_POOL = '(any pool)';

function selectsPool(spec: NodeConfigSpec, pool: string): boolean {
  return spec.selector.pool === undefined || spec.selector.pool.includes(pool);
}

/** Every pool a set of configs names, plus ANY_POOL: rendering each finds every conflict the set can cause. */
export function poolsNamed(configs: readonly NamedConfig[]): string[] {
  return [...new Set([...configs.flatMap((c) => c.spec.selector.pool ?? []), ANY_POOL])].sort();
}

/** Two configs that say different things about one item; `configs` names both, in name order. */
export class ConfigConflictError extends FailedPreconditionError {
  constructor(
    readonly configs: [string, string],
    what: string,
    pool: string,
  ) {
    super(`NodeConfig ${JSON.stringify(configs[0])} and NodeConfig ${JSON.stringify(configs[1])} both set ${what}, differently (pool ${pool === ANY_POOL ? 'of every pool' : pool})`);
  }
}

function conflict(pool: string, one: string, other: string, what: string): ConfigConflictError {
  const [a, b] = [one, other].sort() as [string, string];
  return new ConfigConflictError([a, b], what, pool);
}

/** A value some config set, and which. */
interface Owned<T> {
  value: T;
  by: string;
}

/** Sets `key` to `value` by config `by`, or throws when another config set it differently. */
function claim<T>(map: Map<string, Owned<T>>, key: string, value: T, by: string, pool: string, what: string): void {
  const had = map.get(key);
  if (had && canonicalJson(had.value) !== canonicalJson(value)) throw conflict(pool, had.by, by, what);
  if (!had) map.set(key, { value, by });
}

const byKey = <T>(key: (x: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

/**
 * The pool's rendered config, or undefined when no NodeConfig selects it.
 * Throws FailedPreconditionError naming both configs on a conflict, and when
 * the result is over the bounds a node takes.
 */
export function renderPool(pool: string, configs: readonly NamedConfig[]): RenderedConfig | undefined {
  const merged = configs.filter((c) => selectsPool(c.spec, pool)).sort(byKey((c) => c.name));
  if (merged.length === 0) return undefined;
  const files = new Map<string, Owned<ManagedFile>>();
  const unitContents = new Map<string, Owned<string>>();
  const unitFlags = new Map<string, Owned<boolean>>();
  const dropIns = new Map<string, Owned<string>>();
  const sysctls = new Map<string, Owned<string>>();
  const appended = new Map<string, string>();
  const deleted = new Map<string, string>();
  const policies = new Map<string, Owned<string>>();
  const unitNames = new Set<string>();

  for (const { name, spec } of merged) {
    for (const f of spec.files) {
      const file: ManagedFile = { path: f.path, mode: parseMode(f.mode, 'mode'), ...(f.owner !== undefined ? { owner: f.owner } : {}), contents: f.contents };
      claim(files, f.path, file, name, pool, `file ${f.path}`);
    }
    for (const u of spec.units) {
      unitNames.add(u.name);
      if (u.contents !== undefined) claim(unitContents, u.name, u.contents, name, pool, `unit ${u.name} (contents)`);
      for (const flag of ['enabled', 'masked', 'active'] as const) if (u[flag] !== undefined) claim(unitFlags, `${u.name}\0${flag}`, u[flag], name, pool, `unit ${u.name} (${flag})`);
      for (const d of u.dropIns ?? []) claim(dropIns, `${u.name}\0${d.name}`, d.contents, name, pool, `drop-in ${u.name}.d/${d.name}`);
    }
    for (const [key, value] of Object.entries(spec.sysctls)) claim(sysctls, key, value, name, pool, `sysctl ${key}`);
    for (const a of spec.kernelArguments.append) {
      const other = deleted.get(a);
      if (other !== undefined) throw conflict(pool, other, name, `kernel argument ${a} (one deletes it, the other appends it)`);
      if (!appended.has(a)) appended.set(a, name);
    }
    for (const a of spec.kernelArguments.delete) {
      const other = appended.get(a);
      if (other !== undefined) throw conflict(pool, other, name, `kernel argument ${a} (one appends it, the other deletes it)`);
      if (!deleted.has(a)) deleted.set(a, name);
    }
    if (spec.reboot !== undefined) claim(policies, 'reboot', spec.reboot, name, pool, 'reboot');
    if (spec.driftPolicy !== undefined) claim(policies, 'driftPolicy', spec.driftPolicy, name, pool, 'driftPolicy');
  }

  // A file may not be a unit or drop-in another config writes: the agent would write it twice.
  for (const unit of unitNames) {
    const file = files.get(`/etc/systemd/system/${unit}`);
    const contents = unitContents.get(unit);
    if (file && contents) throw conflict(pool, file.by, contents.by, `/etc/systemd/system/${unit} (as a file and as a unit)`);
  }
  for (const [key, d] of dropIns) {
    const [unit, dropIn] = key.split('\0') as [string, string];
    const file = files.get(`/etc/systemd/system/${unit}.d/${dropIn}`);
    if (file) throw conflict(pool, file.by, d.by, `/etc/systemd/system/${unit}.d/${dropIn} (as a file and as a drop-in)`);
  }

  // A unit one config masks and another gives contents, drop-ins or a running state: the agent would refuse the merge.
  for (const unit of unitNames) {
    const masked = unitFlags.get(`${unit}\0masked`);
    if (masked?.value !== true) continue;
    const other = [unitFlags.get(`${unit}\0enabled`), unitFlags.get(`${unit}\0active`)].find((f) => f?.value === true) ?? unitContents.get(unit) ?? [...dropIns].find(([k]) => k.startsWith(`${unit}\0`))?.[1];
    if (other) throw conflict(pool, masked.by, other.by, `unit ${unit} (one masks it, the other gives it contents, drop-ins or a running state)`);
  }

  const units: ManagedUnit[] = [...unitNames].sort().map((unit) => {
    const contents = unitContents.get(unit)?.value;
    const ins: ManagedDropIn[] = [...dropIns].filter(([k]) => k.startsWith(`${unit}\0`)).map(([k, v]) => ({ name: k.slice(unit.length + 1), contents: v.value })).sort(byKey((d) => d.name));
    const flag = (f: string) => unitFlags.get(`${unit}\0${f}`)?.value;
    const [enabled, masked, active] = [flag('enabled'), flag('masked'), flag('active')];
    return {
      name: unit,
      ...(contents !== undefined ? { contents } : {}),
      ...(ins.length ? { dropIns: ins } : {}),
      ...(enabled !== undefined ? { enabled } : {}),
      ...(masked !== undefined ? { masked } : {}),
      ...(active !== undefined ? { active } : {}),
    };
  });
  const rendered: RenderedConfig = {
    sources: merged.map((c) => c.name),
    files: [...files.values()].map((f) => f.value).sort(byKey((f) => f.path)),
    units,
    sysctls: Object.fromEntries([...sysctls].sort(byKey(([k]) => k)).map(([k, v]) => [k, v.value])),
    kernelArguments: { append: [...appended.keys()], delete: [...deleted.keys()] },
    reboot: (policies.get('reboot')?.value ?? 'auto') as RenderedConfig['reboot'],
    driftPolicy: (policies.get('driftPolicy')?.value ?? 'report') as RenderedConfig['driftPolicy'],
  };
  const where = `the rendered config of pool ${pool === ANY_POOL ? '(every pool)' : pool} (from ${rendered.sources.join(', ')})`;
  for (const [what, n] of [['files', rendered.files.length], ['units', units.length], ['sysctls', sysctls.size]] as const) {
    if (n > MAX_ITEMS) throw new FailedPreconditionError(`${where} has ${n} ${what}, over ${MAX_ITEMS}`);
  }
  const bytes = Buffer.byteLength(canonicalJson(rendered));
  if (bytes > MAX_RENDERED_BYTES) throw new FailedPreconditionError(`${where} is ${bytes} bytes, over ${MAX_RENDERED_BYTES}`);
  return rendered;
}
