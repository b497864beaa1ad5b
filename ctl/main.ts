#!/usr/bin/env node
// hostpilotctl: the operator's command line to the coordinator. Wiring only:
// the command table, global flags (ctl/argv.ts), settings (ctl/settings.ts).
import { UsageError, parseFlags, runMain } from '../common/cli.js';
import { InvalidArgumentError } from '../common/errors.js';
import { versionLine } from '../common/version.js';
import { locateCommand } from './argv.js';
import { CtlClient } from './client.js';
import { locksList, locksRelease } from './commands/locks.js';
import { nodesExclude, nodesInclude, nodesList, nodesRemove, nodesReset } from './commands/nodes.js';
import { poolsList } from './commands/pools.js';
import { rolloutAbort, rolloutCreate, rolloutList, rolloutPause, rolloutResume, rolloutStatus } from './commands/rollout.js';
import { applyCommand, deleteCommand, diffCommand, getCommand } from './commands/resources.js';
import { gitStatus, gitSync } from './commands/git.js';
import { configRendered } from './commands/config.js';
import { remediationHistory, remediationList, remediationPause, remediationResume } from './commands/remediation.js';
import type { CtlCommand } from './context.js';
import { resolveSettings } from './settings.js';

/** "noun verb" (a group's command) or a single word. */
const COMMANDS: Record<string, CtlCommand> = {
  'locks list': locksList,
  'locks release': locksRelease,
  'nodes list': nodesList,
  'nodes reset': nodesReset,
  'nodes remove': nodesRemove,
  'nodes exclude': nodesExclude,
  'nodes include': nodesInclude,
  'pools list': poolsList,
  'rollout create': rolloutCreate,
  'rollout status': rolloutStatus,
  'rollout list': rolloutList,
  'rollout pause': rolloutPause,
  'rollout resume': rolloutResume,
  'rollout abort': rolloutAbort,
  'remediation list': remediationList,
  'remediation history': remediationHistory,
  'remediation pause': remediationPause,
  'remediation resume': remediationResume,
  apply: applyCommand,
  diff: diffCommand,
  get: getCommand,
  delete: deleteCommand,
  'git status': gitStatus,
  'git sync': gitSync,
  'config rendered': configRendered,
};

const GLOBAL_OPTIONS = {
  coordinator: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-ca': { type: 'string' },
  output: { type: 'string', short: 'o' },
  timeout: { type: 'string' },
  config: { type: 'string' },
  context: { type: 'string' },
  version: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const GLOBAL_HELP = `Global options (before or after the command; flags > environment > config file > defaults):
  --coordinator HOST:PORT   the coordinator's gRPC address [$HOSTPILOT_COORDINATOR, else the context's, else 127.0.0.1:7070]
  --tls-cert FILE           client certificate (an admin identity's) [$HOSTPILOT_TLS_CERT, else the context's, else none: no TLS]
  --tls-key FILE            its key [$HOSTPILOT_TLS_KEY, else the context's]
  --tls-ca FILE             CA of the coordinator's certificate [$HOSTPILOT_TLS_CA, else the context's, else the system's]
  -o, --output FORMAT       table|wide|json|yaml [the context's, else table]
  --timeout DURATION        per call [the context's, else 10s]
  --config FILE             config file with contexts [$XDG_CONFIG_HOME/hostpilot/ctl.yaml, else ~/.config/hostpilot/ctl.yaml]
  --context NAME            the config file's context to use [$HOSTPILOT_CONTEXT, else its currentContext]
  --version                 print the version
  -h, --help                help (hostpilotctl GROUP --help lists a group's commands)
`;

const isGroup = (noun: string) => Object.keys(COMMANDS).some((k) => k.startsWith(`${noun} `));

function listing(keys: string[]): string {
  return keys.map((k) => `  ${COMMANDS[k]!.usage}`).join('\n');
}

const USAGE = `Usage: hostpilotctl [options] COMMAND [options]

Commands:
${listing(Object.keys(COMMANDS))}

${GLOBAL_HELP}`;

function groupUsage(noun: string): string {
  return `Usage: hostpilotctl ${noun} COMMAND [options]

Commands:
${listing(Object.keys(COMMANDS).filter((k) => k.startsWith(`${noun} `)))}

${GLOBAL_HELP}`;
}

function commandUsage(command: CtlCommand): string {
  return `Usage: hostpilotctl ${command.usage}\n${command.flagsHelp ? `\nOptions:\n${command.flagsHelp.replace(/\n?$/, '\n')}` : ''}\n${GLOBAL_HELP}`;
}

runMain('hostpilotctl', async (argv) => {
  const { words, rest } = locateCommand(argv, GLOBAL_OPTIONS, isGroup);
  const [noun, verb] = words;
  const command = noun === undefined ? undefined : (COMMANDS[noun] ?? (verb !== undefined ? COMMANDS[`${noun} ${verb}`] : undefined));
  // Positionals the locator took as a verb belong to a single-word command.
  const args = command && noun !== undefined && COMMANDS[noun] && verb !== undefined ? [verb, ...rest] : rest;
  const flags = parseFlags(args, { ...GLOBAL_OPTIONS, ...command?.options }, { positionals: true });
  if (flags.values.version) {
    process.stdout.write(versionLine('hostpilotctl'));
    return 0;
  }
  if (!command) {
    if (noun === undefined || noun === 'help') {
      process.stdout.write(USAGE);
      return noun === undefined && !flags.values.help ? 2 : 0;
    }
    if (!isGroup(noun)) throw new UsageError(`unknown command ${JSON.stringify(noun)}`);
    if (verb !== undefined) throw new UsageError(`unknown command ${JSON.stringify(`${noun} ${verb}`)} (hostpilotctl ${noun} --help lists them)`);
    process.stdout.write(groupUsage(noun));
    return flags.values.help ? 0 : 2;
  }
  if (flags.values.help) {
    process.stdout.write(commandUsage(command));
    return 0;
  }
  let settings;
  try {
    settings = resolveSettings(flags.values);
  } catch (err) {
    if (err instanceof InvalidArgumentError) throw new UsageError(err.message);
    throw err;
  }
  const client = new CtlClient(settings.coordinator, settings.tls, settings.timeoutMs, settings.coordinatorSource);
  const format = settings.format;
  try {
    return await command.run({ client, output: format === 'json' || format === 'yaml' ? 'json' : 'table', format, out: (t) => process.stdout.write(t), now: Date.now }, flags.positionals, flags.values);
  } catch (err) {
    // A value on the command line that a command found bad (a node id, a group): a usage error, exit 2.
    // Refusals from the coordinator are HostpilotErrors of another class and keep exit 1.
    if (err instanceof InvalidArgumentError) throw new UsageError(err.message);
    throw err;
  } finally {
    client.close();
  }
});
