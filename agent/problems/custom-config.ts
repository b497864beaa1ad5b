// The custom plugin monitor's config: NPD's custom-plugin-monitor format.
import { dirname, isAbsolute, resolve } from 'node:path';
import { InvalidArgumentError } from '../../common/errors.js';
import { IGNORED_PLUGIN_CONFIG, duration, int, ruleHead, rulesList, str, unknownKeys, type BaseConfig, type PluginInput, type RuleKind } from './config-fields.js';

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

export interface CustomMonitorConfig extends BaseConfig {
  plugin: 'custom';
  intervalMs: number;
  timeoutMs: number;
  maxOutputLength: number;
  concurrency: number;
  skipInitialStatus: boolean;
  rules: CustomRule[];
}

export function parseCustomMonitorConfig({ raw, pc, base, file }: PluginInput): CustomMonitorConfig {
  const { conditions, warnings } = base;
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
