// NPD's custom plugin monitor: each rule runs a program through the command
// runner. Exit 0 is OK, 1 is a problem, anything else (2, a timeout, a program
// that cannot start) is unknown; stdout, cut to max_output_length, is the
// message. A round runs every rule with bounded concurrency; the next round
// starts `invoke_interval` after the last one ended, so rounds never overlap.
import { CommandError, type CommandRunner } from '../exec/runner.js';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import type { CustomMonitorConfig, CustomRule } from './config.js';
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
export function interpretRound(cfg: CustomMonitorConfig, results: readonly PluginResult[]): { updates: ConditionUpdate[]; events: { reason: string; message: string }[] } {
  const events: { reason: string; message: string }[] = [];
  const byCondition = new Map<string, { rule: CustomRule; result: PluginResult }[]>();
  cfg.rules.forEach((rule, i) => {
    const result = results[i]!;
    if (rule.kind === 'temporary') {
      if (result.status === 'problem') events.push({ reason: rule.reason, message: result.message });
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

export class CustomPluginMonitor implements Monitor {
  readonly plugin = 'custom';
  readonly source: string;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private round: Promise<void> | undefined;

  constructor(
    private readonly cfg: CustomMonitorConfig,
    private readonly deps: { runner: CommandRunner; logger: Logger },
  ) {
    this.source = cfg.source;
  }

  async runOnce(sink: MonitorSink): Promise<void> {
    const results = await runBounded(this.cfg.rules, this.cfg.concurrency, (rule) => runPlugin(this.deps.runner, rule, this.cfg.maxOutputLength));
    const { updates, events } = interpretRound(this.cfg, results);
    for (const u of updates) {
      if (u.unknown) this.deps.logger.warn('plugin could not tell', { source: this.source, condition: u.type, message: u.message });
      sink.update(u);
    }
    for (const e of events) sink.event(this.source, e.reason, e.message);
  }

  async start(sink: MonitorSink): Promise<void> {
    this.stopped = false;
    // A round still running at stop() reports nothing afterwards.
    const guarded: MonitorSink = {
      update: (u) => void (!this.stopped && sink.update(u)),
      event: (s, r, m) => void (!this.stopped && sink.event(s, r, m)),
      dropped: (s, n, w) => void (!this.stopped && sink.dropped(s, n, w)),
    };
    const loop = () => {
      if (this.stopped) return;
      this.round = this.runOnce(guarded).catch((err) => this.deps.logger.error('plugin round failed', { source: this.source, err }));
      void this.round.then(() => {
        if (!this.stopped) this.timer = setTimeout(loop, this.cfg.intervalMs);
      });
    };
    loop();
    // Resolve once the first round has reported: conditions are fresh.
    await this.round;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    // A round in flight ends on its own (each plugin has its timeout, which
    // kills its process group); it is not awaited, so stop() is prompt.
  }
}
