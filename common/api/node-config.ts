// A node's configuration as the coordinator renders it from the NodeConfig
// resources that select the node's pool, and as the agent converges it.
// The rendered config is the contract between them: the coordinator merges
// NodeConfigs into one RenderedConfig, hashes it (renderedHash) and sends it
// in a DesiredConfig directive; the agent validates it again before it
// touches anything (a coordinator is not trusted to have done so).
import { createHash } from 'node:crypto';
import { InvalidArgumentError } from '../errors.js';
import { canonicalJson } from './fields.js';

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
