// `hostpilot-agent problems`: show the node's conditions, validate a monitor
// file, or try monitors in the foreground before shipping them.
import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { UsageError, boolFlag, parseFlags, stringFlag } from '../../common/cli.js';
import { HostpilotError, errorMessage } from '../../common/errors.js';
import { createLogger, parseLogLevel, silentLogger } from '../../common/log.js';
import { ProcessRunner } from '../../common/exec/runner.js';
import { ProblemDetector, expandConfigPaths } from '../problems/detector.js';
import { PATH_OPTIONS, PATH_USAGE, pathsFromFlags } from '../paths.js';
import { loadMonitorFile } from '../problems/config.js';
import { isProblem } from '../../common/api/conditions.js';
import { conditionFromJson, conditionJson, type ConditionJson } from '../problems/condition-json.js';
import type { Condition, ProblemEvent } from '../problems/types.js';
import type { AgentCommand, CommandIo } from './command.js';

const USAGE = `Usage:
  hostpilot-agent problems list [--json] [--state-dir DIR | --state FILE]
      The node's conditions as the agent last saved them (STATE-DIR/conditions.json).
${PATH_USAGE}
  hostpilot-agent problems check CONFIG...
      Validate monitor files (node-problem-detector JSON format); errors name the field.
  hostpilot-agent problems run CONFIG... [--once] [--json] [--log-path PATH] [--state PATH] [--log-level LEVEL]
      Run monitors in the foreground and print conditions and events. With --once, custom
      plugins and checks run once and log monitors read what their logPath holds now, then it
      exits (status 1 if a problem is active). --log-path replaces every log monitor's logPath
      (e.g. a file of kmsg records). CONFIG may be a directory of *.json files.
`;

function formatConditions(conds: Condition[]): string {
  if (conds.length === 0) return 'no conditions';
  const rows = conds.map((c) => [c.type, c.status, c.reason, new Date(c.lastTransitionTime).toISOString(), c.message.replace(/\n/g, ' | ')]);
  const head = ['CONDITION', 'STATUS', 'REASON', 'SINCE', 'MESSAGE'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [head, ...rows].map((r) => r.map((v, i) => (i === r.length - 1 ? v : v.padEnd(widths[i]!))).join('  ')).join('\n');
}

function formatEvent(e: ProblemEvent): string {
  return `${new Date(e.timestamp).toISOString()} ${e.severity.padEnd(4)} ${e.source} ${e.reason}${e.count > 1 ? ` (x${e.count})` : ''}: ${e.message.replace(/\n/g, ' | ')}`;
}

function list(args: string[], io: CommandIo): number {
  const flags = parseFlags(args, { json: { type: 'boolean' }, state: { type: 'string' }, ...PATH_OPTIONS, help: { type: 'boolean', short: 'h' } });
  if (boolFlag(flags, 'help')) return (io.out(USAGE), 0);
  const path = stringFlag(flags, 'state') ?? pathsFromFlags(flags).conditions;
  let conditions: Condition[];
  try {
    const state = JSON.parse(readFileSync(path, 'utf8')) as { conditions?: ConditionJson[] };
    conditions = Array.isArray(state.conditions) ? state.conditions.flatMap((saved) => conditionFromJson(saved) ?? []) : [];
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      io.err(`no problem state at ${path} (the agent has not run problem detection here)`);
      return 1;
    }
    throw new HostpilotError('failed_precondition', `${path}: ${errorMessage(err)}`);
  }
  io.out(boolFlag(flags, 'json') ? JSON.stringify(conditions.map(conditionJson), null, 2) : formatConditions(conditions));
  return 0;
}

function check(args: string[], io: CommandIo): number {
  const flags = parseFlags(args, { help: { type: 'boolean', short: 'h' } }, { positionals: true });
  if (boolFlag(flags, 'help')) return (io.out(USAGE), 0);
  if (flags.positionals.length === 0) throw new UsageError('problems check: name at least one CONFIG');
  let failed = 0;
  for (const file of expandConfigPaths(flags.positionals)) {
    try {
      const cfg = loadMonitorFile(file);
      const count = cfg.plugin === 'builtin' ? `${cfg.checks.length} checks` : `${cfg.rules.length} rules`;
      io.out(`ok ${file}: plugin ${cfg.plugin}, source ${cfg.source}, ${cfg.conditions.length} conditions, ${count}`);
      for (const w of cfg.warnings) io.out(`  warning: ${w}`);
    } catch (err) {
      failed += 1;
      io.err(`invalid ${errorMessage(err)}`);
    }
  }
  return failed ? 1 : 0;
}

async function run(args: string[], io: CommandIo): Promise<number> {
  const flags = parseFlags(
    args,
    { once: { type: 'boolean' }, json: { type: 'boolean' }, 'log-path': { type: 'string' }, state: { type: 'string' }, 'log-level': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    { positionals: true },
  );
  if (boolFlag(flags, 'help')) return (io.out(USAGE), 0);
  if (flags.positionals.length === 0) throw new UsageError('problems run: name at least one CONFIG');
  const json = boolFlag(flags, 'json');
  const level = stringFlag(flags, 'log-level');
  let logger = silentLogger;
  if (level) {
    try {
      logger = createLogger({ component: 'problems', level: parseLogLevel(level), write: (l) => io.err(l) });
    } catch (err) {
      throw new UsageError(errorMessage(err));
    }
  }
  const logPath = stringFlag(flags, 'log-path');
  if (logPath && !logPath.startsWith('/')) throw new UsageError('--log-path: must be an absolute path');
  const detector = new ProblemDetector({
    configPaths: flags.positionals,
    runner: new ProcessRunner(),
    registry: new Registry(),
    logger,
    ...(stringFlag(flags, 'state') ? { statePath: stringFlag(flags, 'state')! } : {}),
    ...(logPath ? { logPathOverride: logPath } : {}),
  });
  if (boolFlag(flags, 'once')) {
    await detector.runOnce();
    const conditions = detector.conditions();
    const events = detector.events();
    if (json) io.out(JSON.stringify({ conditions: conditions.map(conditionJson), events }, null, 2));
    else {
      io.out(formatConditions(conditions));
      io.out(events.length ? `\nEVENTS\n${events.map(formatEvent).join('\n')}` : '\nno events');
    }
    return detector.activeProblems().length ? 1 : 0;
  }
  detector.onEvent((e) => io.out(json ? JSON.stringify({ kind: 'event', ...e }) : formatEvent(e)));
  detector.onChange((c) => io.out(json ? JSON.stringify({ kind: 'condition', ...conditionJson(c) }) : `condition ${c.type} ${isProblem(c) ? 'True' : 'False'} ${c.reason}: ${c.message}`));
  io.out(json ? JSON.stringify({ kind: 'conditions', conditions: detector.conditions().map(conditionJson) }) : formatConditions(detector.conditions()));
  // Listen before starting: a signal during start-up still stops cleanly.
  const signalled = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await detector.start();
  await signalled;
  await detector.stop();
  return 0;
}

export const command: AgentCommand = {
  summary: 'node problems: list conditions, check or run monitors (node-problem-detector format)',
  async main(args: string[], io: CommandIo): Promise<number> {
    const [sub, ...rest] = args;
    switch (sub) {
      case 'list':
        return list(rest, io);
      case 'check':
        return check(rest, io);
      case 'run':
        return run(rest, io);
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        io.out(USAGE);
        return sub === undefined ? 2 : 0;
      default:
        throw new UsageError(`problems: unknown subcommand ${JSON.stringify(sub)}`);
    }
  },
};
