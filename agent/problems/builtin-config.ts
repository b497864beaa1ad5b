// hostpilot's built-in checks' config (plugin "builtin"): which checks, their
// conditions, paths and thresholds; a check's condition gets a default
// healthy reason and message unless the file defines it.
import { isAbsolute } from 'node:path';
import { InvalidArgumentError } from '../../common/errors.js';
import { CONDITION_TYPE, duration, int, isObject, str, unknownKeys, type BaseConfig, type PluginInput } from './config-fields.js';

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

export const BUILTIN_DEFAULTS: Record<BuiltinCheckName, { condition: string; okReason: string; okMessage: string; paths: string[]; threshold: number }> = {
  'readonly-fs': { condition: 'ReadonlyFilesystem', okReason: 'FilesystemIsNotReadOnly', okMessage: 'root and /var are writable', paths: ['/', '/var'], threshold: 0 },
  'disk-pressure': { condition: 'DiskPressure', okReason: 'NoDiskPressure', okMessage: 'disk usage is below the threshold', paths: ['/var'], threshold: 90 },
  'inode-pressure': { condition: 'InodePressure', okReason: 'NoInodePressure', okMessage: 'inode usage is below the threshold', paths: ['/var'], threshold: 90 },
  'clock-sync': { condition: 'ClockNotSynchronized', okReason: 'ClockIsSynchronized', okMessage: 'the system clock is synchronised', paths: [], threshold: 0 },
  'thin-pool': { condition: 'ThinPoolPressure', okReason: 'ThinPoolHasSpace', okMessage: 'thin pool data and metadata usage are below the thresholds', paths: [], threshold: 90 },
  'failed-units': { condition: 'FailedSystemdUnits', okReason: 'NoFailedUnits', okMessage: 'no systemd unit has failed', paths: [], threshold: 0 },
};

export interface ThinPoolUsage {
  dataPercent: number;
  metadataPercent: number;
}

/** What other modules feed the checks. Each returns undefined when it cannot tell. */
export interface BuiltinInputs {
  /** The storage module's thin pool. */
  thinPoolUsage?(): Promise<ThinPoolUsage | undefined>;
  /** The systemd module's failed units. */
  failedUnits?(): Promise<string[] | undefined>;
  /** Default: `timedatectl show --property=NTPSynchronized --value` through the runner. */
  clockSynchronized?(): Promise<boolean | undefined>;
  /** Default: /proc/self/mountinfo. */
  mountinfo?(): string;
  /** Default: fs.statfsSync. */
  statfs?(path: string): { blocks: number; bfree: number; bavail: number; files: number; ffree: number };
}

export function parseBuiltinMonitorConfig({ raw, pc, base }: PluginInput): BuiltinMonitorConfig {
  const { conditions, warnings } = base;
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
