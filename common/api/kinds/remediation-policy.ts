// RemediationPolicy: which nodes the fleet repairs by itself, what counts as
// unhealthy and for how long, and the escalation ladder it climbs (restart a
// unit, reboot, hand the node over for reprovisioning), with the guards that
// keep it from making an outage worse (maxUnhealthy, maxUnavailable, a per-node
// reboot rate). The canonical spec is the parsed one formatted back, so "5m"
// and "300s" are the same spec.
import { formatDuration, parseDuration } from '../../duration.js';
import { InvalidArgumentError } from '../../errors.js';
import { parseNotifyUrl } from '../../notify-url.js';
import { validateUnitName } from '../../unit-names.js';
import { asField, isObject, onlyKeys } from '../fields.js';
import type { KindDef, Spec } from '../resource-types.js';
import { LABEL_KEY, formatMaxUnavailable, parseMaxUnavailable, type MaxUnavailable, type Selector } from '../rollout-spec.js';
import { resourceSelector } from './selector.js';

export type RemediationAction = 'restart-unit' | 'reboot' | 'reprovision';
export const REMEDIATION_ACTIONS: readonly RemediationAction[] = ['restart-unit', 'reboot', 'reprovision'];

export interface UnhealthyCondition {
  type: string;
  /** The status that counts as unhealthy: a Report carries only "problem or not", so True (or Unknown) vs False. */
  status: 'True' | 'False';
  forMs: number;
}

export interface LadderStep {
  action: RemediationAction;
  /** restart-unit only. */
  unit?: string;
  /** How long the step has to fix the condition before the next one; the last step (reprovision) has none. */
  timeoutMs: number;
  /** reprovision only: also POST the event here (a provisioner's hook). */
  webhook?: string;
}

export interface RemediationPolicySpec {
  selector: Selector;
  poolLabel: string;
  conditions: UnhealthyCondition[];
  /** A node unreachable this long is unhealthy too; absent: unreachability alone is not. */
  unreachableForMs?: number;
  steps: LadderStep[];
  /** More unhealthy than this in a pool at once: remediate nothing there (storm guard). */
  maxUnhealthy: MaxUnavailable;
  /** After a storm, nothing starts for this long: nodes recovering by themselves report in over a while. */
  stormCooldownMs: number;
  /** Disruptive steps (reboot, reprovision) in a pool at once, with rollouts and lock holders. */
  maxUnavailable: MaxUnavailable;
  /** At most maxReboots reboot steps per node within rebootWindow; beyond it the ladder goes to reprovision. */
  maxReboots: number;
  rebootWindowMs: number;
  paused: boolean;
}

const FIELDS = ['selector', 'poolLabel', 'conditions', 'unreachableFor', 'steps', 'maxUnhealthy', 'stormCooldown', 'maxUnavailable', 'maxReboots', 'rebootWindow', 'paused'] as const;
const NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const CONDITION_TYPE = /^[A-Za-z][A-Za-z0-9_.-]{0,127}$/;
const DAY = 86_400_000;

function duration(value: unknown, field: string, minMs: number, maxMs: number): number {
  if (typeof value !== 'string') throw new InvalidArgumentError(field, `${JSON.stringify(value ?? null)} is not a duration (e.g. 5m)`);
  const ms = parseDuration(value, field);
  if (ms < minMs || ms > maxMs) throw new InvalidArgumentError(field, `${JSON.stringify(value)} is not between ${formatDuration(minMs)} and ${formatDuration(maxMs)}`);
  return ms;
}

function countOrPercent(value: unknown, field: string, fallback: string): MaxUnavailable {
  if (value === undefined) return parseMaxUnavailable(fallback);
  if (typeof value !== 'string' && typeof value !== 'number') throw new InvalidArgumentError(field, `${JSON.stringify(value)} is not a count or a percent`);
  return asField(field, () => parseMaxUnavailable(String(value)));
}

function parseCondition(raw: unknown, field: string): UnhealthyCondition {
  if (!isObject(raw)) throw new InvalidArgumentError(field, 'is not a mapping ({type: KernelDeadlock, status: "True", for: 5m})');
  onlyKeys(raw, ['type', 'status', 'for'], `${field}.`);
  if (typeof raw.type !== 'string' || !CONDITION_TYPE.test(raw.type)) throw new InvalidArgumentError(`${field}.type`, `${JSON.stringify(raw.type ?? null)} is not a condition type (letters, digits, "_", "-", ".")`);
  const status = raw.status === undefined || raw.status === true ? 'True' : raw.status === false ? 'False' : raw.status;
  if (status !== 'True' && status !== 'False') throw new InvalidArgumentError(`${field}.status`, `${JSON.stringify(raw.status)} is not "True" or "False"`);
  return { type: raw.type, status, forMs: raw.for === undefined ? 0 : duration(raw.for, `${field}.for`, 0, 7 * DAY) };
}

function parseStep(raw: unknown, field: string, last: boolean): LadderStep {
  if (!isObject(raw)) throw new InvalidArgumentError(field, 'is not a mapping ({action: restart-unit, unit: kubelet.service, timeout: 5m})');
  onlyKeys(raw, ['action', 'unit', 'timeout', 'webhook'], `${field}.`);
  const action = raw.action;
  if (typeof action !== 'string' || !(REMEDIATION_ACTIONS as readonly string[]).includes(action)) {
    throw new InvalidArgumentError(`${field}.action`, `${JSON.stringify(action ?? null)} is not one of ${REMEDIATION_ACTIONS.join(', ')}`);
  }
  const step: LadderStep = { action: action as RemediationAction, timeoutMs: 0 };
  if (action === 'restart-unit') step.unit = validateUnitName(raw.unit, `${field}.unit`);
  else if (raw.unit !== undefined) throw new InvalidArgumentError(`${field}.unit`, `only restart-unit names a unit`);
  if (action === 'reprovision') {
    if (!last) throw new InvalidArgumentError(`${field}.action`, 'reprovision is the last step (nothing follows a node handed over)');
    if (raw.timeout !== undefined) throw new InvalidArgumentError(`${field}.timeout`, 'reprovision is the last step: it has no timeout');
    if (raw.webhook !== undefined) {
      if (typeof raw.webhook !== 'string') throw new InvalidArgumentError(`${field}.webhook`, 'is not a URL');
      step.webhook = parseNotifyUrl(raw.webhook, `${field}.webhook`);
    }
    return step;
  }
  if (raw.webhook !== undefined) throw new InvalidArgumentError(`${field}.webhook`, 'only reprovision hands a node over to a webhook');
  step.timeoutMs = duration(raw.timeout ?? (action === 'reboot' ? '30m' : '5m'), `${field}.timeout`, 1000, DAY);
  return step;
}

/** The typed policy of a validated (canonical) spec. */
export function parseRemediationPolicySpec(spec: unknown): RemediationPolicySpec {
  if (!isObject(spec)) throw new InvalidArgumentError('spec', 'is required (conditions and steps)');
  onlyKeys(spec, FIELDS, 'spec.');
  const selector = resourceSelector(spec.selector, 'spec.selector');
  const poolLabel = spec.poolLabel ?? 'pool';
  if (typeof poolLabel !== 'string' || !LABEL_KEY.test(poolLabel)) throw new InvalidArgumentError('spec.poolLabel', `${JSON.stringify(poolLabel)} is not a label key`);
  const conditionsRaw = spec.conditions ?? [];
  if (!Array.isArray(conditionsRaw)) throw new InvalidArgumentError('spec.conditions', 'is not a list');
  const conditions = conditionsRaw.map((c, i) => parseCondition(c, `spec.conditions[${i}]`));
  const seen = new Set<string>();
  conditions.forEach((c, i) => {
    if (seen.has(c.type)) throw new InvalidArgumentError(`spec.conditions[${i}].type`, `${c.type} is listed twice`);
    seen.add(c.type);
  });
  const unreachableForMs = spec.unreachableFor === undefined ? undefined : duration(spec.unreachableFor, 'spec.unreachableFor', 0, 7 * DAY);
  if (conditions.length === 0 && unreachableForMs === undefined) throw new InvalidArgumentError('spec.conditions', 'is empty and spec.unreachableFor is not set: nothing would count as unhealthy');
  const stepsRaw = spec.steps;
  if (!Array.isArray(stepsRaw) || stepsRaw.length === 0) throw new InvalidArgumentError('spec.steps', 'is required: a list of at least one step (restart-unit, reboot, reprovision)');
  if (stepsRaw.length > 10) throw new InvalidArgumentError('spec.steps', 'has more than 10 steps');
  const steps = stepsRaw.map((s, i) => parseStep(s, `spec.steps[${i}]`, i === stepsRaw.length - 1));
  const maxReboots = spec.maxReboots ?? 2;
  if (typeof maxReboots !== 'number' || !Number.isInteger(maxReboots) || maxReboots < 0 || maxReboots > 100) {
    throw new InvalidArgumentError('spec.maxReboots', `${JSON.stringify(maxReboots)} is not a whole number from 0 to 100`);
  }
  if (spec.paused !== undefined && typeof spec.paused !== 'boolean') throw new InvalidArgumentError('spec.paused', `${JSON.stringify(spec.paused)} is not true or false`);
  return {
    selector,
    poolLabel,
    conditions,
    ...(unreachableForMs !== undefined ? { unreachableForMs } : {}),
    steps,
    maxUnhealthy: countOrPercent(spec.maxUnhealthy, 'spec.maxUnhealthy', '20%'),
    stormCooldownMs: spec.stormCooldown === undefined ? 5 * 60_000 : duration(spec.stormCooldown, 'spec.stormCooldown', 0, DAY),
    maxUnavailable: countOrPercent(spec.maxUnavailable, 'spec.maxUnavailable', '1'),
    maxReboots,
    rebootWindowMs: spec.rebootWindow === undefined ? 6 * 3_600_000 : duration(spec.rebootWindow, 'spec.rebootWindow', 60_000, 30 * DAY),
    paused: spec.paused === true,
  };
}

/** The canonical resource spec of a policy. */
export function toPolicyResourceSpec(p: RemediationPolicySpec): Spec {
  return {
    selector: Object.fromEntries(Object.entries(p.selector).map(([k, v]) => [k, [...v]])),
    poolLabel: p.poolLabel,
    conditions: p.conditions.map((c) => ({ type: c.type, status: c.status, for: formatDuration(c.forMs) })),
    ...(p.unreachableForMs !== undefined ? { unreachableFor: formatDuration(p.unreachableForMs) } : {}),
    steps: p.steps.map((s) => ({
      action: s.action,
      ...(s.unit !== undefined ? { unit: s.unit } : {}),
      ...(s.action !== 'reprovision' ? { timeout: formatDuration(s.timeoutMs) } : {}),
      ...(s.webhook !== undefined ? { webhook: s.webhook } : {}),
    })),
    maxUnhealthy: formatMaxUnavailable(p.maxUnhealthy),
    stormCooldown: formatDuration(p.stormCooldownMs),
    maxUnavailable: formatMaxUnavailable(p.maxUnavailable),
    maxReboots: p.maxReboots,
    rebootWindow: formatDuration(p.rebootWindowMs),
    paused: p.paused,
  };
}

export const remediationPolicyKind: KindDef = {
  kind: 'RemediationPolicy',
  plural: 'RemediationPolicies',
  order: 30,
  validateName(name, field) {
    if (!NAME.test(name)) throw new InvalidArgumentError(field, `${JSON.stringify(name.slice(0, 80))} must be 1-63 of a-z, 0-9 and '-'`);
  },
  validateSpec: (spec: unknown): Spec => toPolicyResourceSpec(parseRemediationPolicySpec(spec)),
  columns: {
    header: ['STEPS', 'MAX-UNHEALTHY', 'MAX-UNAVAILABLE', 'ACTIVE'],
    row: (r, status) => [
      Array.isArray(r.spec.steps) ? r.spec.steps.map((s) => (isObject(s) ? String(s.action) : '?')).join('>') : '-',
      String(r.spec.maxUnhealthy),
      String(r.spec.maxUnavailable),
      status ? String(status.active ?? 0) : '-',
    ],
  },
};
