// Monitor config files in node-problem-detector's JSON format, so NPD's own
// configs (kernel-monitor.json, docker-monitor.json, custom-plugin-monitor.json,
// ...) load unchanged. Defaults are applied, then everything is validated once;
// an error names the field (`rules[3].pattern`). Fields NPD knows but hostpilot
// does not use are accepted; unknown fields come back as warnings.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { InvalidArgumentError, errorMessage } from '../../common/errors.js';
import { parseDuration } from '../../common/duration.js';
import { compilePattern, type CompiledPattern } from './pattern.js';

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

export interface LogRule {
  kind: RuleKind;
  condition?: string;
  reason: string;
  pattern: CompiledPattern;
}

export interface CustomRule {
  kind: RuleKind;
  condition?: string;
  reason: string;
  path: string;
  args: string[];
  timeoutMs: number;
  /** hostpilot extension `interval`: this rule's own invoke interval. */
  intervalMs?: number;
}

interface BaseConfig {
  /** Where it was read from, if a file. */
  file?: string;
  source: string;
  conditions: ConditionDef[];
  warnings: string[];
}

export interface LogMonitorConfig extends BaseConfig {
  plugin: 'kmsg' | 'journald' | 'filelog';
  logPath: string;
  lookbackMs: number;
  bufferSize: number;
  rules: LogRule[];
  /** journald: the SYSLOG_IDENTIFIER to follow. */
  journalIdentifier?: string;
  /** filelog: how to cut a line into timestamp and message. */
  filelog?: { timestamp: RegExp; message: RegExp; timestampFormat: string };
}

export interface CustomMonitorConfig extends BaseConfig {
  plugin: 'custom';
  intervalMs: number;
  timeoutMs: number;
  maxOutputLength: number;
  concurrency: number;
  skipInitialStatus: boolean;
  rules: CustomRule[];
}

export type BuiltinCheckName = 'readonly-fs' | 'disk-pressure' | 'inode-pressure' | 'clock-sync' | 'thin-pool' | 'failed-units';

export interface BuiltinCheckConfig {
  check: BuiltinCheckName;
  condition: string;
  /** readonly-fs: mount points; disk/inode-pressure: one path. */
  paths: string[];
  /** Percent used at or above which the condition is a problem. */
  threshold: number;
  /** thin-pool: metadata percent threshold. */
  metadataThreshold: number;
}

export interface BuiltinMonitorConfig extends BaseConfig {
  plugin: 'builtin';
  intervalMs: number;
  checks: BuiltinCheckConfig[];
}

export type MonitorConfig = LogMonitorConfig | CustomMonitorConfig | BuiltinMonitorConfig;

export const BUILTIN_DEFAULTS: Record<BuiltinCheckName, { condition: string; okReason: string; okMessage: string; paths: string[]; threshold: number }> = {
  'readonly-fs': { condition: 'ReadonlyFilesystem', okReason: 'FilesystemIsNotReadOnly', okMessage: 'root and /var are writable', paths: ['/', '/var'], threshold: 0 },
  'disk-pressure': { condition: 'DiskPressure', okReason: 'NoDiskPressure', okMessage: 'disk usage is below the threshold', paths: ['/var'], threshold: 90 },
  'inode-pressure': { condition: 'InodePressure', okReason: 'NoInodePressure', okMessage: 'inode usage is below the threshold', paths: ['/var'], threshold: 90 },
  'clock-sync': { condition: 'ClockNotSynchronized', okReason: 'ClockIsSynchronized', okMessage: 'the system clock is synchronised', paths: [], threshold: 0 },
  'thin-pool': { condition: 'ThinPoolPressure', okReason: 'ThinPoolHasSpace', okMessage: 'thin pool data and metadata usage are below the thresholds', paths: [], threshold: 90 },
  'failed-units': { condition: 'FailedSystemdUnits', okReason: 'NoFailedUnits', okMessage: 'no systemd unit has failed', paths: [], threshold: 0 },
};

const KNOWN_TOP = new Set(['plugin', 'pluginConfig', 'logPath', 'lookback', 'bufferSize', 'source', 'metricsReporting', 'conditions', 'rules']);
const IGNORED_PLUGIN_CONFIG = new Set(['enable_message_change_based_condition_update']);
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const CONDITION_TYPE = /^[A-Za-z][A-Za-z0-9]{0,62}$/;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(obj: Json, key: string, field: string, opts: { required?: boolean; def?: string } = {}): string {
  const v = obj[key];
  if (v === undefined || v === null) {
    if (opts.required) throw new InvalidArgumentError(field, 'is required');
    return opts.def ?? '';
  }
  if (typeof v !== 'string') throw new InvalidArgumentError(field, `must be a string, not ${JSON.stringify(v)}`);
  if (opts.required && v.length === 0) throw new InvalidArgumentError(field, 'is empty');
  return v;
}

function int(obj: Json, key: string, field: string, def: number, min: number, max: number): number {
  const v = obj[key];
  if (v === undefined || v === null) return def;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new InvalidArgumentError(field, `must be an integer, not ${JSON.stringify(v)}`);
  if (v < min || v > max) throw new InvalidArgumentError(field, `must be between ${min} and ${max}, not ${v}`);
  return v;
}

function duration(obj: Json, key: string, field: string, def: number, minMs = 0): number {
  const v = obj[key];
  if (v === undefined || v === null || v === '') return def;
  if (typeof v !== 'string') throw new InvalidArgumentError(field, `must be a duration string like "30s", not ${JSON.stringify(v)}`);
  const ms = parseDuration(v, field);
  if (ms < minMs) throw new InvalidArgumentError(field, `must be at least ${minMs} ms`);
  return ms;
}

function unknownKeys(obj: Json, known: Set<string>, prefix: string, warnings: string[]): void {
  for (const k of Object.keys(obj)) if (!known.has(k)) warnings.push(`${prefix}${k}: unknown field, ignored`);
}

function parseConditions(raw: unknown, warnings: string[]): ConditionDef[] {
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

function ruleHead(r: unknown, field: string, conditions: ConditionDef[]): { r: Json; kind: RuleKind; condition?: string; reason: string } {
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

function rulesList(raw: unknown): unknown[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new InvalidArgumentError('rules', 'must be a list');
  return raw;
}

/** Parses one monitor config. `file` resolves relative plugin paths (against its directory) and names the file in errors' context. */
export function parseMonitorConfig(raw: unknown, file?: string): MonitorConfig {
  if (!isObject(raw)) throw new InvalidArgumentError('(top level)', 'must be a JSON object');
  const warnings: string[] = [];
  unknownKeys(raw, KNOWN_TOP, '', warnings);
  const plugin = str(raw, 'plugin', 'plugin', { required: true });
  const source = str(raw, 'source', 'source', { required: true });
  if (!NAME.test(source)) throw new InvalidArgumentError('source', `${JSON.stringify(source)} is not a monitor name (letters, digits, . _ -; at most 128)`);
  if (raw.metricsReporting !== undefined && typeof raw.metricsReporting !== 'boolean') throw new InvalidArgumentError('metricsReporting', 'must be true or false');
  const pc = raw.pluginConfig ?? {};
  if (!isObject(pc)) throw new InvalidArgumentError('pluginConfig', 'must be an object');
  const conditions = parseConditions(raw.conditions, warnings);
  const base = { source, conditions, warnings, ...(file ? { file } : {}) };

  switch (plugin) {
    case 'kmsg':
    case 'journald':
    case 'filelog': {
      const defaultPath = plugin === 'kmsg' ? '/dev/kmsg' : plugin === 'journald' ? '/var/log/journal' : '';
      const logPath = str(raw, 'logPath', 'logPath', { required: plugin === 'filelog', def: defaultPath });
      if (!isAbsolute(logPath)) throw new InvalidArgumentError('logPath', `${JSON.stringify(logPath)} is not an absolute path`);
      const rules = rulesList(raw.rules).map((r, i) => {
        const field = `rules[${i}]`;
        const head = ruleHead(r, field, conditions);
        unknownKeys(head.r, new Set(['type', 'condition', 'reason', 'pattern', 'patternGeneratedMessageSuffix']), `${field}.`, warnings);
        const pattern = compilePattern(str(head.r, 'pattern', `${field}.pattern`, { required: true }), `${field}.pattern`);
        const rule: LogRule = { kind: head.kind, reason: head.reason, pattern };
        if (head.condition) rule.condition = head.condition;
        return rule;
      });
      const cfg: LogMonitorConfig = {
        ...base,
        plugin,
        logPath,
        lookbackMs: duration(raw, 'lookback', 'lookback', 0),
        bufferSize: int(raw, 'bufferSize', 'bufferSize', 10, 1, 1000),
        rules,
      };
      if (plugin === 'kmsg') unknownKeys(pc, new Set(), 'pluginConfig.', warnings);
      if (plugin === 'journald') {
        unknownKeys(pc, new Set(['source']), 'pluginConfig.', warnings);
        const id = str(pc, 'source', 'pluginConfig.source', { required: true });
        if (!/^[A-Za-z0-9][A-Za-z0-9._@:-]{0,127}$/.test(id)) throw new InvalidArgumentError('pluginConfig.source', `${JSON.stringify(id)} is not a syslog identifier`);
        cfg.journalIdentifier = id;
      }
      if (plugin === 'filelog') {
        unknownKeys(pc, new Set(['timestamp', 'message', 'timestampFormat']), 'pluginConfig.', warnings);
        const re = (key: string) => {
          const text = str(pc, key, `pluginConfig.${key}`, { required: true });
          try {
            return new RegExp(text);
          } catch (err) {
            throw new InvalidArgumentError(`pluginConfig.${key}`, `is not a valid regular expression: ${errorMessage(err)}`);
          }
        };
        cfg.filelog = { timestamp: re('timestamp'), message: re('message'), timestampFormat: str(pc, 'timestampFormat', 'pluginConfig.timestampFormat', { required: true }) };
      }
      return cfg;
    }
    case 'custom': {
      unknownKeys(pc, new Set(['invoke_interval', 'timeout', 'max_output_length', 'concurrency', 'skip_initial_status', ...IGNORED_PLUGIN_CONFIG]), 'pluginConfig.', warnings);
      const timeoutMs = duration(pc, 'timeout', 'pluginConfig.timeout', 5000, 1);
      const intervalMs = duration(pc, 'invoke_interval', 'pluginConfig.invoke_interval', 30_000, 1000);
      if (pc.skip_initial_status !== undefined && typeof pc.skip_initial_status !== 'boolean') throw new InvalidArgumentError('pluginConfig.skip_initial_status', 'must be true or false');
      const rules = rulesList(raw.rules).map((r, i) => {
        const field = `rules[${i}]`;
        const head = ruleHead(r, field, conditions);
        unknownKeys(head.r, new Set(['type', 'condition', 'reason', 'path', 'args', 'timeout', 'interval']), `${field}.`, warnings);
        const path = str(head.r, 'path', `${field}.path`, { required: true });
        if (path.includes('\0')) throw new InvalidArgumentError(`${field}.path`, 'holds a NUL byte');
        const args = head.r.args ?? [];
        if (!Array.isArray(args) || args.some((a) => typeof a !== 'string' || a.includes('\0'))) throw new InvalidArgumentError(`${field}.args`, 'must be a list of strings');
        const rule: CustomRule = {
          kind: head.kind,
          reason: head.reason,
          path: isAbsolute(path) ? path : resolve(file ? dirname(file) : process.cwd(), path),
          args: args as string[],
          timeoutMs: duration(head.r, 'timeout', `${field}.timeout`, timeoutMs, 1),
        };
        if (head.condition) rule.condition = head.condition;
        if (head.r.interval !== undefined) rule.intervalMs = duration(head.r, 'interval', `${field}.interval`, intervalMs, 1000);
        return rule;
      });
      return {
        ...base,
        plugin: 'custom',
        intervalMs,
        timeoutMs,
        maxOutputLength: int(pc, 'max_output_length', 'pluginConfig.max_output_length', 80, 1, 65536),
        concurrency: int(pc, 'concurrency', 'pluginConfig.concurrency', 3, 1, 64),
        skipInitialStatus: (pc.skip_initial_status as boolean | undefined) ?? false,
        rules,
      };
    }
    case 'builtin': {
      unknownKeys(pc, new Set(['invoke_interval', 'checks']), 'pluginConfig.', warnings);
      if (raw.rules !== undefined) throw new InvalidArgumentError('rules', 'a builtin monitor has checks (pluginConfig.checks), not rules');
      const intervalMs = duration(pc, 'invoke_interval', 'pluginConfig.invoke_interval', 30_000, 1000);
      const rawChecks = pc.checks;
      if (!Array.isArray(rawChecks) || rawChecks.length === 0) throw new InvalidArgumentError('pluginConfig.checks', 'must be a non-empty list');
      const checks = rawChecks.map((c, i) => {
        const field = `pluginConfig.checks[${i}]`;
        if (!isObject(c)) throw new InvalidArgumentError(field, 'must be an object');
        unknownKeys(c, new Set(['check', 'condition', 'paths', 'threshold', 'metadataThreshold']), `${field}.`, warnings);
        const name = str(c, 'check', `${field}.check`, { required: true });
        if (!(name in BUILTIN_DEFAULTS)) throw new InvalidArgumentError(`${field}.check`, `must be one of ${Object.keys(BUILTIN_DEFAULTS).join(', ')}, not ${JSON.stringify(name)}`);
        const d = BUILTIN_DEFAULTS[name as BuiltinCheckName];
        const condition = str(c, 'condition', `${field}.condition`, { def: d.condition });
        if (!CONDITION_TYPE.test(condition)) throw new InvalidArgumentError(`${field}.condition`, `${JSON.stringify(condition)} is not a condition type`);
        const paths = c.paths ?? d.paths;
        if (!Array.isArray(paths) || paths.some((p) => typeof p !== 'string' || !isAbsolute(p))) throw new InvalidArgumentError(`${field}.paths`, 'must be a list of absolute paths');
        if ((name === 'disk-pressure' || name === 'inode-pressure' || name === 'readonly-fs') && paths.length === 0) throw new InvalidArgumentError(`${field}.paths`, 'must name at least one path');
        // The condition gets its default reason/message unless the file defines it.
        if (!conditions.some((x) => x.type === condition)) conditions.push({ type: condition, reason: d.okReason, message: d.okMessage, clearOnReboot: true });
        return {
          check: name as BuiltinCheckName,
          condition,
          paths: paths as string[],
          threshold: int(c, 'threshold', `${field}.threshold`, d.threshold, 0, 100),
          metadataThreshold: int(c, 'metadataThreshold', `${field}.metadataThreshold`, d.threshold, 0, 100),
        };
      });
      return { ...base, plugin: 'builtin', intervalMs, checks };
    }
    default:
      throw new InvalidArgumentError('plugin', `must be one of kmsg, journald, filelog, custom, builtin, not ${JSON.stringify(plugin)}`);
  }
}

/** Reads and parses one file. Errors carry the file name before the field. */
export function loadMonitorFile(path: string): MonitorConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InvalidArgumentError(path, `cannot read: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new InvalidArgumentError(path, `is not JSON: ${errorMessage(err)}`);
  }
  try {
    return parseMonitorConfig(raw, resolve(path));
  } catch (err) {
    if (err instanceof InvalidArgumentError) throw new InvalidArgumentError(`${path}: ${err.field}`, err.message.slice(err.field.length + 2));
    throw err;
  }
}
