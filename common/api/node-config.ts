// A node's configuration as the coordinator renders it from the NodeConfig
// resources that select the node's pool, and as the agent converges it.
// The rendered config is the contract between them: the coordinator merges
// NodeConfigs into one RenderedConfig, hashes it (renderedHash) and sends it
// in a DesiredConfig directive; the agent validates it again before it
// touches anything (a coordinator is not trusted to have done so).
import { createHash } from 'node:crypto';
import { InvalidArgumentError } from '../errors.js';
import { validateDropInName, validateUnitName } from '../unit-names.js';
import { canonicalJson, isObject, onlyKeys } from './fields.js';

export interface ManagedFile {
  /** Absolute, normalised, under /etc or /var. */
  path: string;
  /** Permission bits, 0 to 0o7777. */
  mode: number;
  /** `user` or `user:group` (names or numeric ids); absent: root:root. */
  owner?: string;
  /** The whole file, UTF-8. */
  contents: string;
}

export interface ManagedDropIn {
  /** File name under /etc/systemd/system/UNIT.d/, ending in .conf. */
  name: string;
  contents: string;
}

export interface ManagedUnit {
  /** A systemd unit name (agent/systemd/unit-names.ts rules). */
  name: string;
  /** A whole unit file written to /etc/systemd/system/NAME; absent: only drop-ins for a unit that exists. */
  contents?: string;
  dropIns?: ManagedDropIn[];
  /** Enabled (true) or disabled (false); absent: left as it is. */
  enabled?: boolean;
  /** Masked; absent: false. */
  masked?: boolean;
  /** Started and kept active (true) or stopped (false); absent: left as it is. */
  active?: boolean;
}

export interface KernelArguments {
  /** `key` or `key=value`, added when absent. */
  append: string[];
  /** `key` or `key=value`, removed when present. */
  delete: string[];
}

export type RebootPolicy = 'auto' | 'never' | 'always';
export type DriftPolicy = 'report' | 'repair';
/** What applying a change takes, least to most: computed by the coordinator from the previous and the new rendered config. */
export const DISRUPTIONS = ['none', 'restart-units', 'reboot'] as const;
export type Disruption = (typeof DISRUPTIONS)[number];

export interface RenderedConfig {
  /** The NodeConfig names merged into it, in merge (name) order. */
  sources: string[];
  files: ManagedFile[];
  units: ManagedUnit[];
  /** sysctl key (dotted, e.g. net.ipv4.ip_forward) -> value. */
  sysctls: Record<string, string>;
  kernelArguments: KernelArguments;
  reboot: RebootPolicy;
  driftPolicy: DriftPolicy;
}

/** Bounds: a rendered config travels in one gRPC message and is written to a node's disk. */
export const MAX_FILE_BYTES = 256 * 1024;
export const MAX_RENDERED_BYTES = 2 * 1024 * 1024;
export const MAX_ITEMS = 1000;

const MANAGED_ROOTS = ['/etc/', '/var/'];
const OWNER = /^([a-z_][a-z0-9_-]{0,31}|\d{1,10})(:([a-z_][a-z0-9_-]{0,31}|\d{1,10}))?$/;
const SYSCTL_KEY = /^[a-z0-9_]+(\.[A-Za-z0-9_-]+)+$/;
const SYSCTL_VALUE = /^[\x20-\x7e]{0,256}$/;
const KARG = /^[A-Za-z0-9_.-]+(=[\x21-\x7e]{0,512})?$/;

/** A managed path: absolute, normalised (no `.`/`..`/`//`), under /etc or /var, not the root itself. */
export function validateManagedPath(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') throw new InvalidArgumentError(field, 'must not be empty');
  const parts = value.split('/');
  const normalised = value.startsWith('/') && !value.endsWith('/') && parts.slice(1).every((p) => p !== '' && p !== '.' && p !== '..');
  if (!normalised || value.length > 4096 || /[\0\n]/.test(value)) throw new InvalidArgumentError(field, `${JSON.stringify(value.slice(0, 80))} is not an absolute, normalised path`);
  if (!MANAGED_ROOTS.some((root) => value.startsWith(root))) throw new InvalidArgumentError(field, `${JSON.stringify(value.slice(0, 80))} is not under /etc or /var`);
  return value;
}

export function validateMode(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0o7777) throw new InvalidArgumentError(field, `${JSON.stringify(value)} is not a permission mode (0 to 07777)`);
  return value;
}

export function validateOwner(value: unknown, field: string): string {
  if (typeof value !== 'string' || !OWNER.test(value)) throw new InvalidArgumentError(field, `${JSON.stringify(String(value).slice(0, 80))} is not USER or USER:GROUP`);
  return value;
}

export function validateSysctl(key: unknown, value: unknown, field: string): void {
  if (typeof key !== 'string' || key.length > 256 || !SYSCTL_KEY.test(key)) throw new InvalidArgumentError(field, `${JSON.stringify(String(key).slice(0, 80))} is not a sysctl key (e.g. net.ipv4.ip_forward)`);
  if (typeof value !== 'string' || !SYSCTL_VALUE.test(value)) throw new InvalidArgumentError(`${field}.${key}`, 'must be printable text of at most 256 characters');
}

export function validateKernelArgument(value: unknown, field: string): string {
  if (typeof value !== 'string' || !KARG.test(value)) throw new InvalidArgumentError(field, `${JSON.stringify(String(value).slice(0, 80))} is not a kernel argument (key or key=value)`);
  return value;
}

/** Where the agent writes the sysctls of a rendered config (so no file of the config may be there). */
export const SYSCTL_FILE = '/etc/sysctl.d/90-hostpilot.conf';
const UNIT_DIR = '/etc/systemd/system';
const REBOOT_POLICIES: readonly RebootPolicy[] = ['auto', 'never', 'always'];
const DRIFT_POLICIES: readonly DriftPolicy[] = ['report', 'repair'];

/**
 * A rendered config's JSON (DesiredConfig.rendered_json), validated whole: the
 * agent calls it before it touches anything, so one bad field refuses the
 * config with one error naming it. Absent collections are empty, an absent
 * `reboot` is auto and an absent `driftPolicy` report; unknown keys are refused.
 */
export function parseRenderedConfig(json: string): RenderedConfig {
  if (Buffer.byteLength(json) > MAX_RENDERED_BYTES) throw new InvalidArgumentError('rendered config', `is over ${MAX_RENDERED_BYTES} bytes`);
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new InvalidArgumentError('rendered config', `not valid JSON: ${(err as Error).message}`);
  }
  const doc = object(raw, 'rendered config');
  onlyKeys(doc, ['sources', 'files', 'units', 'sysctls', 'kernelArguments', 'reboot', 'driftPolicy'], '');
  const sources = list(doc.sources, 'sources').map((s, i) => {
    if (typeof s !== 'string' || s.length > 253) throw new InvalidArgumentError(`sources[${i}]`, 'must be a NodeConfig name');
    return s;
  });
  const units = list(doc.units, 'units').map((u, i) => parseUnit(u, `units[${i}]`));
  const unitPaths = new Set<string>();
  for (const [i, u] of units.entries()) {
    const path = `${UNIT_DIR}/${u.name}`;
    if (units.findIndex((o) => o.name === u.name) !== i) throw new InvalidArgumentError(`units[${i}].name`, `${u.name} is listed twice`);
    if (u.contents !== undefined) unitPaths.add(path);
    for (const d of u.dropIns ?? []) unitPaths.add(`${UNIT_DIR}/${u.name}.d/${d.name}`);
  }
  const seenFiles = new Set<string>();
  const files = list(doc.files, 'files').map((f, i) => {
    const file = parseFile(f, `files[${i}]`);
    if (seenFiles.has(file.path)) throw new InvalidArgumentError(`files[${i}].path`, `${file.path} is listed twice`);
    if (unitPaths.has(file.path)) throw new InvalidArgumentError(`files[${i}].path`, `${file.path} is a unit file or drop-in units[] writes`);
    if (file.path === SYSCTL_FILE) throw new InvalidArgumentError(`files[${i}].path`, `${SYSCTL_FILE} is where the agent writes sysctls: use sysctls`);
    seenFiles.add(file.path);
    return file;
  });
  const sysctls: Record<string, string> = {};
  for (const [key, value] of Object.entries(doc.sysctls === undefined ? {} : object(doc.sysctls, 'sysctls'))) {
    validateSysctl(key, value, 'sysctls');
    sysctls[key] = value as string;
  }
  const kargs = doc.kernelArguments === undefined ? {} : object(doc.kernelArguments, 'kernelArguments');
  onlyKeys(kargs, ['append', 'delete'], 'kernelArguments.');
  const kernelArguments: KernelArguments = {
    append: list(kargs.append, 'kernelArguments.append').map((k, i) => validateKernelArgument(k, `kernelArguments.append[${i}]`)),
    delete: list(kargs.delete, 'kernelArguments.delete').map((k, i) => validateKernelArgument(k, `kernelArguments.delete[${i}]`)),
  };
  const both = kernelArguments.append.find((k) => kernelArguments.delete.includes(k));
  if (both !== undefined) throw new InvalidArgumentError('kernelArguments', `${both} is both appended and deleted`);
  const reboot = oneOf(doc.reboot ?? 'auto', REBOOT_POLICIES, 'reboot');
  const driftPolicy = oneOf(doc.driftPolicy ?? 'report', DRIFT_POLICIES, 'driftPolicy');
  // Each list is bounded (list()); sysctls are a mapping.
  if (Object.keys(sysctls).length > MAX_ITEMS) throw new InvalidArgumentError('sysctls', `has ${Object.keys(sysctls).length} keys; at most ${MAX_ITEMS}`);
  return { sources, files, units, sysctls, kernelArguments, reboot, driftPolicy };
}

function object(value: unknown, field: string): Record<string, unknown> {
  if (!isObject(value)) throw new InvalidArgumentError(field, 'must be an object');
  return value;
}

function list(value: unknown, field: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new InvalidArgumentError(field, 'must be a list');
  if (value.length > MAX_ITEMS) throw new InvalidArgumentError(field, `has ${value.length} entries; at most ${MAX_ITEMS}`);
  return value;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (!allowed.includes(value as T)) throw new InvalidArgumentError(field, `${JSON.stringify(String(value).slice(0, 40))} is not one of ${allowed.join(', ')}`);
  return value as T;
}

function contents(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new InvalidArgumentError(field, 'must be a string');
  if (Buffer.byteLength(value) > MAX_FILE_BYTES) throw new InvalidArgumentError(field, `is over ${MAX_FILE_BYTES} bytes`);
  return value;
}

function optionalBool(value: unknown, field: string): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') throw new InvalidArgumentError(field, 'must be true or false');
  return value;
}

function parseFile(raw: unknown, field: string): ManagedFile {
  const f = object(raw, field);
  onlyKeys(f, ['path', 'mode', 'owner', 'contents'], `${field}.`);
  const file: ManagedFile = { path: validateManagedPath(f.path, `${field}.path`), mode: validateMode(f.mode, `${field}.mode`), contents: contents(f.contents, `${field}.contents`) };
  if (f.owner !== undefined) file.owner = validateOwner(f.owner, `${field}.owner`);
  return file;
}

function parseUnit(raw: unknown, field: string): ManagedUnit {
  const u = object(raw, field);
  onlyKeys(u, ['name', 'contents', 'dropIns', 'enabled', 'masked', 'active'], `${field}.`);
  const unit: ManagedUnit = { name: validateUnitName(u.name, `${field}.name`) };
  if (u.contents !== undefined) unit.contents = contents(u.contents, `${field}.contents`);
  if (u.dropIns !== undefined) {
    const names = new Set<string>();
    unit.dropIns = list(u.dropIns, `${field}.dropIns`).map((d, i) => {
      const f = `${field}.dropIns[${i}]`;
      const drop = object(d, f);
      onlyKeys(drop, ['name', 'contents'], `${f}.`);
      const name = validateDropInName(drop.name, `${f}.name`);
      if (names.has(name)) throw new InvalidArgumentError(`${f}.name`, `${name} is listed twice`);
      names.add(name);
      return { name, contents: contents(drop.contents, `${f}.contents`) };
    });
  }
  const enabled = optionalBool(u.enabled, `${field}.enabled`);
  const masked = optionalBool(u.masked, `${field}.masked`);
  const active = optionalBool(u.active, `${field}.active`);
  if (masked && (enabled || active)) throw new InvalidArgumentError(`${field}.masked`, 'a masked unit cannot be enabled or active');
  if (masked && (unit.contents !== undefined || unit.dropIns?.length)) throw new InvalidArgumentError(`${field}.masked`, 'a masked unit has no contents or drop-ins (masking links it to /dev/null)');
  if (/@\.[a-z]+$/.test(unit.name) && (enabled !== undefined || active !== undefined || masked)) throw new InvalidArgumentError(`${field}.name`, 'a template cannot be enabled, masked or active; name an instance');
  if (enabled !== undefined) unit.enabled = enabled;
  if (masked !== undefined) unit.masked = masked;
  if (active !== undefined) unit.active = active;
  return unit;
}

/**
 * The content hash of a rendered config: `sha256:<hex>` of its canonical JSON (object keys
 * sorted), so the same config hashes the same on every coordinator whatever its key order.
 */
export function renderedHash(config: RenderedConfig): string {
  return `sha256:${createHash('sha256').update(canonicalJson(config)).digest('hex')}`;
}

/** A hash as tables show it: the first 12 hex digits; empty: "-". */
export function shortConfigHash(hash: string): string {
  return hash ? hash.replace(/^sha256:/, '').slice(0, 12) : '-';
}
