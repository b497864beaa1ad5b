// Monitor config files in node-problem-detector's JSON format, so NPD's own
// configs (kernel-monitor.json, docker-monitor.json, custom-plugin-monitor.json,
// ...) load unchanged. This part reads the fields every file shares and hands
// the rest to the plugin the file names (registry.ts): each plugin parses its
// own fields. Defaults are applied, then everything is validated once; an
// error names the field (`rules[3].pattern`). Fields NPD knows but hostpilot
// does not use are accepted; unknown fields come back as warnings.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidArgumentError, errorMessage } from '../../common/errors.js';
import { parseJsonFile } from '../../common/json-file.js';
import { isObject, parseConditions, str, unknownKeys } from './config-fields.js';
import { monitorPlugin, monitorPluginNames, type MonitorConfig } from './registry.js';

export type { ConditionDef, RuleKind } from './config-fields.js';
export type { LogMonitorConfig, LogRule } from './logmonitor-config.js';
export type { CustomMonitorConfig, CustomRule } from './custom-config.js';
export type { BuiltinCheckConfig, BuiltinCheckName, BuiltinMonitorConfig } from './builtin-config.js';
export type { MonitorConfig } from './registry.js';

const KNOWN_TOP = new Set(['plugin', 'pluginConfig', 'logPath', 'lookback', 'bufferSize', 'source', 'metricsReporting', 'conditions', 'rules']);
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

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

  const parser = monitorPlugin(plugin)?.parse;
  if (!parser) throw new InvalidArgumentError('plugin', `must be one of ${monitorPluginNames().join(', ')}, not ${JSON.stringify(plugin)}`);
  return parser({ plugin, raw, pc, base, ...(file ? { file } : {}) });
}

/** Reads and parses one file. Errors carry the file name before the field. */
export function loadMonitorFile(path: string): MonitorConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InvalidArgumentError(path, `cannot read: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`);
  }
  return parseJsonFile(path, text, (raw) => parseMonitorConfig(raw, resolve(path)));
}
