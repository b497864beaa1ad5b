// A rollout spec from the wire (or hostpilotctl's flags), validated once with
// errors that name the field, with defaults applied.
import { randomBytes } from 'node:crypto';
import { InvalidArgumentError } from '../errors.js';
import { validateGroupName } from '../names.js';
import { CONFIG_POOL_LABEL } from './kinds/node-config.js';
import { parseTarget } from './target.js';
import { parseWindow, type RebootWindow } from '../window.js';
import type { RolloutSpec as WireSpec } from '../../proto/generated/hostpilot/v1/RolloutSpec.js';

/** Label equality (`pool=workers`) or set membership (`rack in (r1,r2)`). */
export type Selector = Record<string, string[]>;

export type BucketStrategy = { kind: 'by-label'; label: string } | { kind: 'size'; size: number } | { kind: 'percent'; percent: number };

/** A count, or a percent of the pool rounded down with a floor of 1 (as the machine-config-operator does). */
export type MaxUnavailable = { kind: 'count'; count: number } | { kind: 'percent'; percent: number };

export interface FailurePolicy {
  /** Pause once this many nodes have failed. */
  pauseAfter: number;
  /** When pausing on failure, send the nodes already moved back to the version they ran before. */
  rollback: boolean;
}

/** A rendered NodeConfig a rollout carries: its pool, and the hash pinned when the rollout was created. */
export interface RolloutConfig {
  pool: string;
  /** '' until pinned (a spec parsed from a request); a created rollout always has it. */
  hash: string;
}

export interface RolloutSpec {
  id: string;
  /** The OS target; '' when the rollout carries only a config. */
  target: string;
  config?: RolloutConfig;
  selector: Selector;
  strategy: BucketStrategy;
  maxUnavailable: MaxUnavailable;
  /** Which label names a node's pool (the budget applies per pool). */
  poolLabel: string;
  windows: RebootWindow[];
  settleMs: number;
  /** A started node must report steady on the target within this. */
  healthTimeoutMs: number;
  failurePolicy: FailurePolicy;
  /** The reboot-lock group whose holders count as unavailable. */
  lockGroup: string;
}

const ID = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
export const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

export function parseStrategy(text: string): BucketStrategy {
  const m = /^(by-label|size|percent):(.+)$/.exec(text);
  if (m?.[1] === 'by-label' && LABEL_KEY.test(m[2]!)) return { kind: 'by-label', label: m[2]! };
  if (m?.[1] === 'size' && /^\d+$/.test(m[2]!) && Number(m[2]) >= 1) return { kind: 'size', size: Number(m[2]) };
  if (m?.[1] === 'percent' && /^\d+$/.test(m[2]!) && Number(m[2]) >= 1 && Number(m[2]) <= 100) return { kind: 'percent', percent: Number(m[2]) };
  throw new InvalidArgumentError('strategy', `${JSON.stringify(text)} is not by-label:LABEL, size:N (N >= 1) or percent:P (1-100)`);
}

export function formatStrategy(s: BucketStrategy): string {
  return s.kind === 'by-label' ? `by-label:${s.label}` : s.kind === 'size' ? `size:${s.size}` : `percent:${s.percent}`;
}

export function parseMaxUnavailable(text: string): MaxUnavailable {
  const m = /^(\d+)(%?)$/.exec(text);
  const n = m ? Number(m[1]) : NaN;
  if (m && m[2] === '%' && n > 100) throw new InvalidArgumentError('max_unavailable', `${JSON.stringify(text)} is over 100%`);
  if (m && m[2] === '%' && n >= 1) return { kind: 'percent', percent: n };
  if (m && m[2] === '' && n >= 1) return { kind: 'count', count: n };
  throw new InvalidArgumentError('max_unavailable', `${JSON.stringify(text)} is not a count (>= 1) or a percent (1%-100%)`);
}

export function formatMaxUnavailable(m: MaxUnavailable): string {
  return m.kind === 'count' ? String(m.count) : `${m.percent}%`;
}

export function parseSelector(entries: Record<string, string>): Selector {
  const selector: Selector = {};
  for (const [key, values] of Object.entries(entries)) {
    if (!LABEL_KEY.test(key)) throw new InvalidArgumentError(`selector.${key.slice(0, 60)}`, 'is not a valid label key');
    const list = values.split(',').map((v) => v.trim());
    for (const v of list) if (!LABEL_VALUE.test(v)) throw new InvalidArgumentError(`selector.${key}`, `${JSON.stringify(v)} is not a valid label value`);
    selector[key] = list;
  }
  return selector;
}

const HOUR = 3_600_000;

const HASH = /^sha256:[0-9a-f]{64}$/;

function parseRolloutConfig(pool: string, hash: string): RolloutConfig {
  if (!LABEL_VALUE.test(pool)) throw new InvalidArgumentError('config_pool', `${JSON.stringify(pool.slice(0, 80))} is not a pool name (a label value)`);
  if (hash !== '' && !HASH.test(hash)) throw new InvalidArgumentError('config_hash', `${JSON.stringify(hash.slice(0, 80))} is not sha256:<64 hex>`);
  return { pool, hash };
}

export function parseRolloutSpec(wire: Partial<WireSpec>): RolloutSpec {
  const id = wire.id || `r-${randomBytes(4).toString('hex')}`;
  if (!ID.test(id)) throw new InvalidArgumentError('id', `${JSON.stringify(id)} must be 1-63 of a-z, 0-9 and '-'`);
  if (!wire.target && !wire.config_pool) throw new InvalidArgumentError('target', 'is required (or a config pool)');
  // The same parser as `hostpilot-agent os deploy`: a rollout accepts exactly what a node can deploy.
  const target = wire.target ? parseTarget(wire.target).text : '';
  const config = wire.config_pool ? parseRolloutConfig(wire.config_pool, wire.config_hash ?? '') : undefined;
  const selector = parseSelector(wire.selector ?? {});
  if (config) {
    // A pool's config goes to that pool's nodes only.
    const pools = selector[CONFIG_POOL_LABEL];
    if (pools && (pools.length !== 1 || pools[0] !== config.pool)) throw new InvalidArgumentError(`selector.${CONFIG_POOL_LABEL}`, `must be ${config.pool} (or absent) for a rollout of pool ${config.pool}'s config`);
    selector[CONFIG_POOL_LABEL] = [config.pool];
  }
  const ms = (value: unknown, field: string, fallback: number, max: number) => {
    const n = Number(value ?? 0) || fallback;
    if (!Number.isFinite(n) || n < 0 || n > max) throw new InvalidArgumentError(field, `must be 0 to ${max} ms`);
    return n;
  };
  const pauseAfter = wire.pause_after_failures ?? 0;
  const poolLabel = wire.pool_label || 'pool';
  if (!LABEL_KEY.test(poolLabel)) throw new InvalidArgumentError('pool_label', `${JSON.stringify(poolLabel)} is not a valid label key`);
  const settleMs = Number(wire.settle_ms ?? 0);
  if (!Number.isFinite(settleMs) || settleMs < 0 || settleMs > 48 * HOUR) throw new InvalidArgumentError('settle_ms', `must be 0 to ${48 * HOUR} ms`);
  return {
    id,
    target,
    ...(config ? { config } : {}),
    selector,
    strategy: parseStrategy(wire.strategy || 'size:1'),
    maxUnavailable: parseMaxUnavailable(wire.max_unavailable || '1'),
    poolLabel,
    windows: (wire.windows ?? []).map((w, i) => parseWindow(w, `windows[${i}]`)),
    settleMs,
    healthTimeoutMs: ms(wire.health_timeout_ms, 'health_timeout_ms', 30 * 60_000, 48 * HOUR),
    failurePolicy: { pauseAfter: pauseAfter > 0 ? pauseAfter : 1, rollback: wire.rollback_on_failure ?? false },
    lockGroup: validateGroupName(wire.lock_group || 'default', 'lock_group'),
  };
}
