// What every monitor config file shares, in node-problem-detector's format:
// the field readers (errors name the field), the conditions, a rule's head
// (type, condition, reason). Each plugin's own fields are parsed by the
// plugin (logmonitor-config.ts, custom-config.ts, builtin-config.ts).
import { InvalidArgumentError } from '../../common/errors.js';
import { parseDuration } from '../../common/duration.js';

export type RuleKind = 'temporary' | 'permanent';

export interface ConditionDef {
  type: string;
  /** Reason and message while the condition is not a problem. */
  reason: string;
  message: string;
  /** hostpilot extension: clear a true condition this long after its last matching line / failing check. */
  clearAfterMs?: number;
  /** hostpilot extension: clear when the node boots into a new boot id (default true). */
  clearOnReboot: boolean;
}

export interface BaseConfig {
  /** Where it was read from, if a file. */
  file?: string;
  source: string;
  conditions: ConditionDef[];
  warnings: string[];
}

/** What the generic part of a file gives a plugin's parser. */
export interface PluginInput {
  plugin: string;
  raw: Json;
  /** pluginConfig, an object ({} when absent). */
  pc: Json;
  base: BaseConfig;
  file?: string;
}

export const IGNORED_PLUGIN_CONFIG = new Set(['enable_message_change_based_condition_update']);
export const CONDITION_TYPE = /^[A-Za-z][A-Za-z0-9]{0,62}$/;

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(obj: Json, key: string, field: string, opts: { required?: boolean; def?: string } = {}): string {
  const v = obj[key];
  if (v === undefined || v === null) {
    if (opts.required) throw new InvalidArgumentError(field, 'is required');
    return opts.def ?? '';
  }
  if (typeof v !== 'string') throw new InvalidArgumentError(field, `must be a string, not ${JSON.stringify(v)}`);
  if (opts.required && v.length === 0) throw new InvalidArgumentError(field, 'is empty');
  return v;
}

export function int(obj: Json, key: string, field: string, def: number, min: number, max: number): number {
  const v = obj[key];
  if (v === undefined || v === null) return def;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new InvalidArgumentError(field, `must be an integer, not ${JSON.stringify(v)}`);
  if (v < min || v > max) throw new InvalidArgumentError(field, `must be between ${min} and ${max}, not ${v}`);
  return v;
}

export function duration(obj: Json, key: string, field: string, def: number, minMs = 0): number {
  const v = obj[key];
  if (v === undefined || v === null || v === '') return def;
  if (typeof v !== 'string') throw new InvalidArgumentError(field, `must be a duration string like "30s", not ${JSON.stringify(v)}`);
  const ms = parseDuration(v, field);
  if (ms < minMs) throw new InvalidArgumentError(field, `must be at least ${minMs} ms`);
  return ms;
}

export function unknownKeys(obj: Json, known: Set<string>, prefix: string, warnings: string[]): void {
  for (const k of Object.keys(obj)) if (!known.has(k)) warnings.push(`${prefix}${k}: unknown field, ignored`);
}

export function parseConditions(raw: unknown, warnings: string[]): ConditionDef[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new InvalidArgumentError('conditions', 'must be a list');
  const seen = new Set<string>();
  return raw.map((c, i) => {
    const field = `conditions[${i}]`;
    if (!isObject(c)) throw new InvalidArgumentError(field, 'must be an object');
    const type = str(c, 'type', `${field}.type`, { required: true });
    if (!CONDITION_TYPE.test(type)) throw new InvalidArgumentError(`${field}.type`, `${JSON.stringify(type)} is not a condition type (letters and digits, starting with a letter)`);
    if (seen.has(type)) throw new InvalidArgumentError(`${field}.type`, `${type} is defined twice`);
    seen.add(type);
    unknownKeys(c, new Set(['type', 'reason', 'message', 'clearAfter', 'clearOnReboot']), `${field}.`, warnings);
    const clearOnReboot = c.clearOnReboot ?? true;
    if (typeof clearOnReboot !== 'boolean') throw new InvalidArgumentError(`${field}.clearOnReboot`, 'must be true or false');
    const def: ConditionDef = {
      type,
      reason: str(c, 'reason', `${field}.reason`, { required: true }),
      message: str(c, 'message', `${field}.message`),
      clearOnReboot,
    };
    if (c.clearAfter !== undefined) def.clearAfterMs = duration(c, 'clearAfter', `${field}.clearAfter`, 0, 1000);
    return def;
  });
}

export function ruleHead(r: unknown, field: string, conditions: ConditionDef[]): { r: Json; kind: RuleKind; condition?: string; reason: string } {
  if (!isObject(r)) throw new InvalidArgumentError(field, 'must be an object');
  const kind = str(r, 'type', `${field}.type`, { required: true });
  if (kind !== 'temporary' && kind !== 'permanent') throw new InvalidArgumentError(`${field}.type`, `must be "temporary" or "permanent", not ${JSON.stringify(kind)}`);
  const reason = str(r, 'reason', `${field}.reason`, { required: true });
  const condition = str(r, 'condition', `${field}.condition`) || undefined;
  if (kind === 'permanent') {
    if (!condition) throw new InvalidArgumentError(`${field}.condition`, 'is required for a permanent rule');
    if (!conditions.some((c) => c.type === condition)) throw new InvalidArgumentError(`${field}.condition`, `${condition} is not one of the conditions this file defines`);
  }
  return { r, kind, reason, ...(kind === 'permanent' ? { condition } : {}) };
}

export function rulesList(raw: unknown): unknown[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new InvalidArgumentError('rules', 'must be a list');
  return raw;
}

