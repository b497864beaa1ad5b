// Rollout as a resource: every field `hostpilotctl rollout create` has, in
// camelCase, checked by the same parsers (common/api/rollout-spec.ts). The
// canonical spec is the parsed spec formatted back, so "10m" and "600s" are
// the same spec and applying either twice says unchanged.
import { formatDuration, parseDuration } from '../../duration.js';
import { InvalidArgumentError } from '../../errors.js';
import { validateGroupName } from '../../names.js';
import { formatWindow, parseWindow } from '../../window.js';
import { asField, isObject, onlyKeys } from '../fields.js';
import type { KindDef, Spec } from '../resource-types.js';
import { selectorEntries } from './selector.js';
import { formatMaxUnavailable, formatStrategy, parseMaxUnavailable, parseRolloutSpec, parseSelector, parseStrategy, type RolloutSpec } from '../rollout-spec.js';

const FIELDS = ['target', 'config', 'selector', 'strategy', 'maxUnavailable', 'poolLabel', 'windows', 'settle', 'healthTimeout', 'pauseAfter', 'rollbackOnFailure', 'lockGroup', 'paused'] as const;

/** What may change once a rollout runs: how fast and when, not what or where. */
export const ROLLOUT_SAFE_FIELDS = ['paused', 'maxUnavailable', 'windows', 'settle', 'healthTimeout', 'pauseAfter', 'rollbackOnFailure'] as const;

const ID = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

function str(spec: Record<string, unknown>, key: string): string | undefined {
  const v = spec[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new InvalidArgumentError(`spec.${key}`, `${JSON.stringify(v)} is not a string`);
  return v;
}

function duration(spec: Record<string, unknown>, key: string, max: number): number | undefined {
  const text = str(spec, key);
  if (text === undefined) return undefined;
  const ms = parseDuration(text, `spec.${key}`);
  if (ms > max) throw new InvalidArgumentError(`spec.${key}`, `${JSON.stringify(text)} is over ${formatDuration(max)}`);
  return ms;
}

/** The rollout spec a validated resource stands for (its name is the rollout id). */
export function rolloutSpecOf(name: string, spec: Spec): RolloutSpec {
  const s = spec as ReturnType<typeof toResourceSpec>;
  return parseRolloutSpec({
    id: name,
    target: s.target ?? '',
    config_pool: s.config ?? '',
    selector: Object.fromEntries(Object.entries(s.selector).map(([k, v]) => [k, v.join(',')])),
    strategy: s.strategy,
    max_unavailable: s.maxUnavailable,
    pool_label: s.poolLabel,
    windows: s.windows,
    settle_ms: parseDuration(s.settle, 'spec.settle'),
    health_timeout_ms: parseDuration(s.healthTimeout, 'spec.healthTimeout'),
    pause_after_failures: s.pauseAfter,
    rollback_on_failure: s.rollbackOnFailure,
    lock_group: s.lockGroup,
  });
}

/** The canonical resource spec of a rollout spec (and whether an operator paused it). */
export function toResourceSpec(r: RolloutSpec, paused: boolean) {
  return {
    ...(r.target ? { target: r.target } : {}),
    // The pool whose rendered config it carries (the hash it pinned is in the rollout's record).
    ...(r.config ? { config: r.config.pool } : {}),
    selector: Object.fromEntries(Object.entries(r.selector).map(([k, v]) => [k, [...v]])),
    strategy: formatStrategy(r.strategy),
    maxUnavailable: formatMaxUnavailable(r.maxUnavailable),
    poolLabel: r.poolLabel,
    windows: r.windows.map(formatWindow),
    settle: formatDuration(r.settleMs),
    healthTimeout: formatDuration(r.healthTimeoutMs),
    pauseAfter: r.failurePolicy.pauseAfter,
    rollbackOnFailure: r.failurePolicy.rollback,
    lockGroup: r.lockGroup,
    paused,
  };
}

const HOUR = 3_600_000;

const WIRE_FIELDS: Record<string, string> = { target: 'target', config_pool: 'config', pool_label: 'poolLabel', lock_group: 'lockGroup', health_timeout_ms: 'healthTimeout', settle_ms: 'settle', max_unavailable: 'maxUnavailable', strategy: 'strategy' };

/** parseRolloutSpec names wire fields (pool_label); a resource's errors name spec fields (spec.poolLabel). */
function fromWireErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof InvalidArgumentError)) throw err;
    const field = WIRE_FIELDS[err.field] ?? err.field.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
    throw new InvalidArgumentError(`spec.${field}`, err.message.slice(err.field.length + 2));
  }
}

export const rolloutKind: KindDef = {
  kind: 'Rollout',
  plural: 'Rollouts',
  order: 20,
  validateName(name, field) {
    if (!ID.test(name)) throw new InvalidArgumentError(field, `${JSON.stringify(name.slice(0, 80))} must be 1-63 of a-z, 0-9 and '-' (it is the rollout id)`);
  },
  validateSpec(spec: unknown): Spec {
    if (!isObject(spec)) throw new InvalidArgumentError('spec', 'is required (at least target or config)');
    onlyKeys(spec, FIELDS, 'spec.');
    const target = str(spec, 'target');
    const config = str(spec, 'config');
    if (target === undefined && config === undefined) throw new InvalidArgumentError('spec.target', 'is required (or spec.config: a pool whose rendered NodeConfig to roll out)');
    const selector = selectorEntries(spec.selector, 'spec.selector');
    asField('spec.selector', () => parseSelector(selector));
    const strategy = str(spec, 'strategy');
    if (strategy !== undefined) asField('spec.strategy', () => parseStrategy(strategy));
    const mu = spec.maxUnavailable;
    if (mu !== undefined && typeof mu !== 'string' && typeof mu !== 'number') throw new InvalidArgumentError('spec.maxUnavailable', `${JSON.stringify(mu)} is not a count or a percent`);
    if (mu !== undefined) asField('spec.maxUnavailable', () => parseMaxUnavailable(String(mu)));
    const poolLabel = str(spec, 'poolLabel');
    const windows = spec.windows ?? [];
    if (!Array.isArray(windows)) throw new InvalidArgumentError('spec.windows', 'is not a list');
    windows.forEach((w, i) => {
      if (typeof w !== 'string') throw new InvalidArgumentError(`spec.windows[${i}]`, 'is not a string ("Mon-Fri 02:00-05:00 Europe/Berlin")');
      parseWindow(w, `spec.windows[${i}]`);
    });
    const settle = duration(spec, 'settle', 48 * HOUR);
    const healthTimeout = duration(spec, 'healthTimeout', 48 * HOUR);
    const pauseAfter = spec.pauseAfter;
    if (pauseAfter !== undefined && (typeof pauseAfter !== 'number' || !Number.isInteger(pauseAfter) || pauseAfter < 1 || pauseAfter > 1_000_000)) {
      throw new InvalidArgumentError('spec.pauseAfter', `${JSON.stringify(pauseAfter)} is not a whole number from 1`);
    }
    for (const key of ['rollbackOnFailure', 'paused'] as const) {
      if (spec[key] !== undefined && typeof spec[key] !== 'boolean') throw new InvalidArgumentError(`spec.${key}`, `${JSON.stringify(spec[key])} is not true or false`);
    }
    const lockGroup = str(spec, 'lockGroup');
    if (lockGroup !== undefined) validateGroupName(lockGroup, 'spec.lockGroup');
    const parsed = fromWireErrors(() =>
      parseRolloutSpec({
        id: 'x',
        target: target ?? '',
        ...(config !== undefined ? { config_pool: config } : {}),
        selector,
        ...(strategy !== undefined ? { strategy } : {}),
        ...(mu !== undefined ? { max_unavailable: String(mu) } : {}),
        ...(poolLabel !== undefined ? { pool_label: poolLabel } : {}),
        windows: windows as string[],
        settle_ms: settle ?? 0,
        ...(healthTimeout !== undefined ? { health_timeout_ms: healthTimeout } : {}),
        ...(pauseAfter !== undefined ? { pause_after_failures: pauseAfter as number } : {}),
        rollback_on_failure: spec.rollbackOnFailure === true,
        ...(lockGroup !== undefined ? { lock_group: lockGroup } : {}),
      }),
    );
    return toResourceSpec(parsed, spec.paused === true);
  },
  safeFields: ROLLOUT_SAFE_FIELDS,
  columns: {
    header: ['TARGET', 'PHASE', 'DONE', 'MAX-UNAVAILABLE', 'STRATEGY'],
    row: (r, status) => [
      [r.spec.target, r.spec.config !== undefined ? `config of ${String(r.spec.config)}` : ''].filter(Boolean).join(' + '),
      status ? String(status.phase ?? '-') : '-',
      status && isObject(status.nodes) ? `${String(status.nodes.done ?? 0)}/${String(status.nodes.total ?? 0)}` : '-',
      String(r.spec.maxUnavailable),
      String(r.spec.strategy),
    ],
  },
};
