// NodeConfig: files, units and drop-ins, sysctls and kernel arguments for the
// nodes of the pools it selects. The coordinator merges every NodeConfig of a
// pool into one RenderedConfig (coordinator/configs/render.ts) and rolls it out
// like an OS target. Every field is checked here with the checks the agent
// runs again (common/api/node-config.ts, common/unit-names.ts).
import { InvalidArgumentError } from '../../errors.js';
import { validateDropInName, validateUnitName } from '../../unit-names.js';
import { isObject, onlyKeys } from '../fields.js';
import {
  MAX_FILE_BYTES,
  MAX_ITEMS,
  SYSCTL_FILE,
  shortConfigHash,
  validateKernelArgument,
  validateManagedPath,
  validateMode,
  validateOwner,
  validateSysctl,
  type DriftPolicy,
  type RebootPolicy,
} from '../node-config.js';
import type { KindDef, Spec } from '../resource-types.js';

/** The label that names a node's config pool: the same `pool` label rollouts use by default. */
export const CONFIG_POOL_LABEL = 'pool';

export interface NodeConfigFile {
  path: string;
  /** Octal text, four digits ("0644"): YAML reads a bare 0644 as the decimal number 644. */
  mode: string;
  owner?: string;
  contents: string;
}

export interface NodeConfigUnit {
  name: string;
  contents?: string;
  dropIns?: Array<{ name: string; contents: string }>;
  enabled?: boolean;
  masked?: boolean;
  active?: boolean;
}

/** The canonical spec: collections always present and sorted, policies only when declared (a merge tells them apart). */
export interface NodeConfigSpec {
  /** `{pool: [NAMES]}`; empty: every pool. */
  selector: { pool?: string[] };
  files: NodeConfigFile[];
  units: NodeConfigUnit[];
  sysctls: Record<string, string>;
  kernelArguments: { append: string[]; delete: string[] };
  reboot?: RebootPolicy;
  driftPolicy?: DriftPolicy;
}

const FIELDS = ['selector', 'files', 'units', 'sysctls', 'kernelArguments', 'reboot', 'driftPolicy'] as const;
const NAME = /^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/;
const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const MODE = /^(0o)?[0-7]{1,4}$/;

function list(value: unknown, field: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new InvalidArgumentError(field, 'is not a list');
  if (value.length > MAX_ITEMS) throw new InvalidArgumentError(field, `has ${value.length} items, over ${MAX_ITEMS}`);
  return value;
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new InvalidArgumentError(field, 'is required (text)');
  if (Buffer.byteLength(value) > MAX_FILE_BYTES) throw new InvalidArgumentError(field, `is over ${MAX_FILE_BYTES} bytes`);
  return value;
}

function bool(value: unknown, field: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw new InvalidArgumentError(field, `${JSON.stringify(value)} is not true or false`);
  return value;
}

export function parseMode(value: unknown, field: string): number {
  if (typeof value === 'number') throw new InvalidArgumentError(field, `${value} is a number: write the mode as quoted octal text ("0644"), YAML reads a bare 0644 as decimal 644`);
  if (typeof value !== 'string' || !MODE.test(value)) throw new InvalidArgumentError(field, `${JSON.stringify(value ?? null)} is not an octal permission mode ("0644")`);
  return validateMode(parseInt(value.replace(/^0o/, ''), 8), field);
}

export function formatMode(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}

function unique<T>(items: T[], key: (item: T) => string, field: (i: number) => string, what: string): void {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const k = key(item);
    const first = seen.get(k);
    if (first !== undefined) throw new InvalidArgumentError(field(i), `${what} ${JSON.stringify(k)} is declared twice (also ${field(first)})`);
    seen.set(k, i);
  });
}

function parseSelector(raw: unknown): NodeConfigSpec['selector'] {
  if (raw === undefined) return {};
  if (!isObject(raw)) throw new InvalidArgumentError('spec.selector', 'is not a mapping ({pool: [workers]})');
  onlyKeys(raw, [CONFIG_POOL_LABEL], 'spec.selector.');
  if (raw.pool === undefined) return {};
  const values = typeof raw.pool === 'string' ? [raw.pool] : raw.pool;
  if (!Array.isArray(values) || values.length === 0) throw new InvalidArgumentError('spec.selector.pool', 'is not a list of pool names');
  values.forEach((v, i) => {
    if (typeof v !== 'string' || !LABEL_VALUE.test(v)) throw new InvalidArgumentError(`spec.selector.pool[${i}]`, `${JSON.stringify(v)} is not a pool name (a label value)`);
  });
  return { pool: [...new Set(values as string[])].sort() };
}

function parseFile(raw: unknown, field: string): NodeConfigFile {
  if (!isObject(raw)) throw new InvalidArgumentError(field, 'is not a mapping (path, mode, owner, contents)');
  onlyKeys(raw, ['path', 'mode', 'owner', 'contents'], `${field}.`);
  const path = validateManagedPath(raw.path, `${field}.path`);
  if (path === SYSCTL_FILE) throw new InvalidArgumentError(`${field}.path`, `${SYSCTL_FILE} is where the agent writes sysctls: use spec.sysctls`);
  const mode = formatMode(raw.mode === undefined ? 0o644 : parseMode(raw.mode, `${field}.mode`));
  const owner = raw.owner === undefined ? undefined : validateOwner(raw.owner, `${field}.owner`);
  return { path, mode, ...(owner !== undefined ? { owner } : {}), contents: text(raw.contents, `${field}.contents`) };
}

function parseUnit(raw: unknown, field: string): NodeConfigUnit {
  if (!isObject(raw)) throw new InvalidArgumentError(field, 'is not a mapping (name, contents, dropIns, enabled, masked, active)');
  onlyKeys(raw, ['name', 'contents', 'dropIns', 'enabled', 'masked', 'active'], `${field}.`);
  const name = validateUnitName(raw.name, `${field}.name`);
  const contents = raw.contents === undefined ? undefined : text(raw.contents, `${field}.contents`);
  const dropIns = list(raw.dropIns, `${field}.dropIns`).map((d, i) => {
    const f = `${field}.dropIns[${i}]`;
    if (!isObject(d)) throw new InvalidArgumentError(f, 'is not a mapping (name, contents)');
    onlyKeys(d, ['name', 'contents'], `${f}.`);
    return { name: validateDropInName(d.name, `${f}.name`), contents: text(d.contents, `${f}.contents`) };
  });
  unique(dropIns, (d) => d.name, (i) => `${field}.dropIns[${i}].name`, 'drop-in');
  const enabled = bool(raw.enabled, `${field}.enabled`);
  const masked = bool(raw.masked, `${field}.masked`);
  const active = bool(raw.active, `${field}.active`);
  // As the agent checks a rendered config (common/api/node-config.ts): what it would refuse is refused here.
  if (masked === true && (enabled === true || active === true)) throw new InvalidArgumentError(`${field}.masked`, 'a masked unit can be neither enabled nor active');
  if (masked === true && (contents !== undefined || dropIns.length > 0)) throw new InvalidArgumentError(`${field}.masked`, 'a masked unit has no contents or drop-ins (masking links it to /dev/null)');
  if (/@\.[a-z]+$/.test(name) && (enabled !== undefined || active !== undefined || masked !== undefined)) throw new InvalidArgumentError(`${field}.name`, 'a template cannot be enabled, masked or active; name an instance');
  if (contents === undefined && dropIns.length === 0 && enabled === undefined && masked === undefined && active === undefined) {
    throw new InvalidArgumentError(field, `unit ${name} declares nothing (contents, dropIns, enabled, masked or active)`);
  }
  return {
    name,
    ...(contents !== undefined ? { contents } : {}),
    ...(dropIns.length ? { dropIns: dropIns.sort((a, b) => (a.name < b.name ? -1 : 1)) } : {}),
    ...(enabled !== undefined ? { enabled } : {}),
    ...(masked !== undefined ? { masked } : {}),
    ...(active !== undefined ? { active } : {}),
  };
}

function parseKernelArguments(raw: unknown): NodeConfigSpec['kernelArguments'] {
  if (raw === undefined) return { append: [], delete: [] };
  if (!isObject(raw)) throw new InvalidArgumentError('spec.kernelArguments', 'is not a mapping (append, delete)');
  onlyKeys(raw, ['append', 'delete'], 'spec.kernelArguments.');
  const append = list(raw.append, 'spec.kernelArguments.append').map((a, i) => validateKernelArgument(a, `spec.kernelArguments.append[${i}]`));
  const del = list(raw.delete, 'spec.kernelArguments.delete').map((a, i) => validateKernelArgument(a, `spec.kernelArguments.delete[${i}]`));
  del.forEach((a, i) => {
    if (append.includes(a)) throw new InvalidArgumentError(`spec.kernelArguments.delete[${i}]`, `${JSON.stringify(a)} is appended too`);
  });
  return { append: [...new Set(append)], delete: [...new Set(del)] };
}

function choice<T extends string>(value: unknown, field: string, options: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(options as readonly string[]).includes(value)) throw new InvalidArgumentError(field, `${JSON.stringify(value)} is not one of ${options.join(', ')}`);
  return value as T;
}

export function validateNodeConfigSpec(spec: unknown): NodeConfigSpec {
  if (!isObject(spec)) throw new InvalidArgumentError('spec', 'is required (files, units, sysctls, kernelArguments)');
  onlyKeys(spec, FIELDS, 'spec.');
  const files = list(spec.files, 'spec.files').map((f, i) => parseFile(f, `spec.files[${i}]`));
  unique(files, (f) => f.path, (i) => `spec.files[${i}].path`, 'path');
  const units = list(spec.units, 'spec.units').map((u, i) => parseUnit(u, `spec.units[${i}]`));
  unique(units, (u) => u.name, (i) => `spec.units[${i}].name`, 'unit');
  const sysctlsRaw = spec.sysctls ?? {};
  if (!isObject(sysctlsRaw)) throw new InvalidArgumentError('spec.sysctls', 'is not a mapping of key to value');
  if (Object.keys(sysctlsRaw).length > MAX_ITEMS) throw new InvalidArgumentError('spec.sysctls', `has over ${MAX_ITEMS} keys`);
  const sysctls: Record<string, string> = {};
  for (const key of Object.keys(sysctlsRaw).sort()) {
    const v = sysctlsRaw[key];
    const value = typeof v === 'number' || typeof v === 'boolean' ? String(v) : v;
    validateSysctl(key, value, 'spec.sysctls');
    sysctls[key] = value as string;
  }
  const reboot = choice(spec.reboot, 'spec.reboot', ['auto', 'never', 'always'] as const);
  const driftPolicy = choice(spec.driftPolicy, 'spec.driftPolicy', ['report', 'repair'] as const);
  return {
    selector: parseSelector(spec.selector),
    files: files.sort((a, b) => (a.path < b.path ? -1 : 1)),
    units: units.sort((a, b) => (a.name < b.name ? -1 : 1)),
    sysctls,
    kernelArguments: parseKernelArguments(spec.kernelArguments),
    ...(reboot !== undefined ? { reboot } : {}),
    ...(driftPolicy !== undefined ? { driftPolicy } : {}),
  };
}

export const nodeConfigKind: KindDef = {
  kind: 'NodeConfig',
  plural: 'NodeConfigs',
  order: 15,
  validateName(name, field) {
    if (!NAME.test(name)) throw new InvalidArgumentError(field, `${JSON.stringify(name.slice(0, 80))} must be 1-63 of a-z, 0-9, '.' and '-' (configs merge in name order)`);
  },
  validateSpec: (spec) => validateNodeConfigSpec(spec) as unknown as Spec,
  columns: {
    header: ['POOLS', 'FILES', 'UNITS', 'SYSCTLS', 'KARGS', 'REBOOT', 'RENDERED'],
    row: (r, status) => {
      const s = r.spec as unknown as NodeConfigSpec;
      const rendered = status && isObject(status.rendered) ? Object.entries(status.rendered).map(([pool, hash]) => `${pool}:${shortConfigHash(String(hash))}`) : [];
      return [
        s.selector.pool?.join(',') ?? '(all)',
        String(s.files.length),
        String(s.units.length),
        String(Object.keys(s.sysctls).length),
        [...s.kernelArguments.append.map((a) => `+${a}`), ...s.kernelArguments.delete.map((a) => `-${a}`)].join(' ') || '-',
        s.reboot ?? 'auto',
        rendered.join(',') || '-',
      ];
    },
  },
};
