// The log monitors' config (kmsg, journald, filelog): NPD's system log
// monitor format, parsed by the plugin that runs it.
import { isAbsolute } from 'node:path';
import { InvalidArgumentError, errorMessage } from '../../common/errors.js';
import { duration, int, ruleHead, rulesList, str, unknownKeys, type BaseConfig, type PluginInput } from './config-fields.js';
import { compilePattern, type CompiledPattern } from './pattern.js';
import type { RuleKind } from './config-fields.js';

export interface LogRule {
  kind: RuleKind;
  condition?: string;
  reason: string;
  pattern: CompiledPattern;
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

export function parseLogMonitorConfig({ plugin: name, raw, pc, base }: PluginInput): LogMonitorConfig {
  const plugin = name as LogMonitorConfig['plugin'];
  const { conditions, warnings } = base;
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
