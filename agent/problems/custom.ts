// NPD's custom plugin monitor: each rule runs a program through the command
// runner. Exit 0 is OK, 1 is a problem, anything else (2, a timeout, a program
// that cannot start) is unknown; stdout, cut to max_output_length, is the
// message. Each rule runs on its own interval, all under one concurrency bound.
import { CommandError, type CommandRunner } from '../../common/exec/runner.js';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import { parseCustomMonitorConfig, type CustomMonitorConfig, type CustomRule } from './custom-config.js';
import type { MonitorPlugin } from './plugin.js';
import { runBounded } from './pool.js';
import type { ConditionUpdate, Monitor, MonitorSink } from './types.js';

export type PluginStatus = 'ok' | 'problem' | 'unknown';

export interface PluginResult {
  status: PluginStatus;
  message: string;
}

/** Output kept from a plugin before cutting to max_output_length (NPD reads it all; we need not). */
const OUTPUT_CAP = 64 * 1024;

export async function runPlugin(runner: CommandRunner, rule: CustomRule, maxOutputLength: number): Promise<PluginResult> {
  const cut = (s: string) => {
    const t = s.trim();
    return t.length > maxOutputLength ? t.slice(0, maxOutputLength) : t;
  };
  try {
    const res = await runner.run({ argv: [rule.path, ...rule.args], timeoutMs: rule.timeoutMs, maxOutputBytes: OUTPUT_CAP, okExitCodes: [0, 1] });
    return { status: res.exitCode === 0 ? 'ok' : 'problem', message: cut(res.stdout) };
  } catch (err) {
    if (err instanceof CommandError) {
      switch (err.failure) {
        case 'exit':
          return { status: 'unknown', message: cut(err.stdout) || `exit code ${err.exitCode}` };
        case 'timeout':
          return { status: 'unknown', message: `timeout when running plugin ${rule.path}: timed out after ${rule.timeoutMs} ms` };
        case 'signal':
          return { status: 'unknown', message: `plugin ${rule.path} killed by ${err.signal}` };
        case 'spawn':
          return { status: 'unknown', message: `cannot run plugin ${rule.path}: ${errorMessage(err)}` };
      }
    }
    return { status: 'unknown', message: `cannot run plugin ${rule.path}: ${errorMessage(err)}` };
  }
}

/**
 * One round's results → condition updates (one per condition: a problem if any
 * of its rules says so, else unknown if any cannot tell, else OK) and events.
 */
export function interpretRound(cfg: CustomMonitorConfig, results: readonly (PluginResult | undefined)[], only?: ReadonlySet<number>): { updates: ConditionUpdate[]; events: { reason: string; message: string }[] } {
  const events: { reason: string; message: string }[] = [];
  const byCondition = new Map<string, { rule: CustomRule; result: PluginResult }[]>();
  cfg.rules.forEach((rule, i) => {
    // Rules not run yet say nothing; with `only`, events come from those rules alone.
    const result = results[i];
    if (!result) return;
    if (rule.kind === 'temporary') {
      if (result.status === 'problem' && (!only || only.has(i))) events.push({ reason: rule.reason, message: result.message });
      return;
    }
    const list = byCondition.get(rule.condition!) ?? [];
    list.push({ rule, result });
    byCondition.set(rule.condition!, list);
  });
  const updates: ConditionUpdate[] = [];
  for (const [type, list] of byCondition) {
    const def = cfg.conditions.find((c) => c.type === type)!;
    const problem = list.find((x) => x.result.status === 'problem');
    const unknown = list.find((x) => x.result.status === 'unknown');
    if (problem) updates.push({ source: cfg.source, type, status: true, reason: problem.rule.reason, message: problem.result.message });
    else if (unknown) updates.push({ source: cfg.source, type, status: true, unknown: true, reason: unknown.rule.reason, message: unknown.result.message });
    else updates.push({ source: cfg.source, type, status: false, reason: def.reason, message: def.message });
  }
  return { updates, events };
}

/** At most `limit` holders at a time; the rest wait in order. */
class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    this.active += 1;
    try {
      return await task();
    } finally {
      this.active -= 1;
      this.waiting.shift()?.();
    }
  }
}

export class CustomPluginMonitor implements Monitor {
  readonly plugin = 'custom';
  readonly source: string;
  private timers: NodeJS.Timeout[] = [];
  private stopped = true;
  /** The latest result of each rule, for conditions fed by several rules on their own schedules. */
  private latest: (PluginResult | undefined)[] = [];

  constructor(
    private readonly cfg: CustomMonitorConfig,
    private readonly deps: { runner: CommandRunner; logger: Logger },
  ) {
    this.source = cfg.source;
  }

  private report(sink: MonitorSink, only?: ReadonlySet<number>): void {
    const { updates, events } = interpretRound(this.cfg, this.latest, only);
    const touched = only ? new Set([...only].map((i) => this.cfg.rules[i]!.condition)) : undefined;
    for (const u of updates) {
      if (touched && !touched.has(u.type)) continue;
      if (u.unknown) this.deps.logger.warn('plugin could not tell', { source: this.source, condition: u.type, message: u.message });
      sink.update(u);
    }
    for (const e of events) sink.event(this.source, e.reason, e.message);
  }

  /** Every rule once (bounded concurrency), then one report. */
  async runOnce(sink: MonitorSink): Promise<void> {
    this.latest = await runBounded(this.cfg.rules, this.cfg.concurrency, (rule) => runPlugin(this.deps.runner, rule, this.cfg.maxOutputLength));
    this.report(sink);
  }

  /**
   * Each rule on its own schedule (its `interval`, else invoke_interval): the
   * next run starts that long after the last ended, so a rule never overlaps
   * itself; all rules share the `concurrency` bound. Resolves after every
   * rule's first run has reported.
   */
  async start(sink: MonitorSink): Promise<void> {
    this.stopped = false;
    this.latest = [];
    const gate = new Semaphore(this.cfg.concurrency);
    const runRule = async (i: number): Promise<void> => {
      const rule = this.cfg.rules[i]!;
      const result = await gate.run(() => runPlugin(this.deps.runner, rule, this.cfg.maxOutputLength));
      // A run still going at stop() reports nothing afterwards.
      if (this.stopped) return;
      this.latest[i] = result;
      try {
        this.report(sink, new Set([i]));
      } catch (err) {
        this.deps.logger.error('plugin report failed', { source: this.source, err });
      }
      this.timers[i] = setTimeout(() => void runRule(i), rule.intervalMs ?? this.cfg.intervalMs);
    };
    await Promise.all(this.cfg.rules.map((_, i) => runRule(i)));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    // A run in flight ends on its own (each plugin has its timeout, which
    // kills its process group); it is not awaited, so stop() is prompt.
  }
}

export const customPlugin: MonitorPlugin<CustomMonitorConfig> = {
  names: ['custom'],
  parse: parseCustomMonitorConfig,
  create: (cfg, deps) => new CustomPluginMonitor(cfg, deps),
};
