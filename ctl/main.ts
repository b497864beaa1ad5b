#!/usr/bin/env node
// hostpilotctl: the operator's command line to the coordinator. Wiring only.
import { parseHostPort } from '../common/address.js';
import { UsageError, parseFlags, runMain } from '../common/cli.js';
import { parseDuration } from '../common/duration.js';
import { loadTls } from '../common/tls.js';
import { CtlClient } from './client.js';
import { locksList, locksRelease } from './commands/locks.js';
import { nodesList } from './commands/nodes.js';
import { rolloutAbort, rolloutCreate, rolloutList, rolloutPause, rolloutResume, rolloutStatus } from './commands/rollout.js';
import { applyCommand, deleteCommand, diffCommand, getCommand } from './commands/resources.js';
import { gitStatus, gitSync } from './commands/git.js';
import type { CtlCommand } from './context.js';

const COMMANDS: Record<string, CtlCommand> = {
  'locks list': locksList,
  'locks release': locksRelease,
  'nodes list': nodesList,
  'rollout create': rolloutCreate,
  'rollout status': rolloutStatus,
  'rollout list': rolloutList,
  'rollout pause': rolloutPause,
  'rollout resume': rolloutResume,
  'rollout abort': rolloutAbort,
  apply: applyCommand,
  diff: diffCommand,
  get: getCommand,
  delete: deleteCommand,
  'git status': gitStatus,
  'git sync': gitSync,
};

const GLOBAL_OPTIONS = {
  coordinator: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-ca': { type: 'string' },
  output: { type: 'string', short: 'o' },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const USAGE = `Usage: hostpilotctl COMMAND [options]

Commands:
${Object.values(COMMANDS)
  .map((c) => `  ${c.usage}`)
  .join('\n')}

Options (every command):
  --coordinator HOST:PORT   the coordinator's gRPC address [127.0.0.1:7070]
  --tls-cert FILE --tls-key FILE --tls-ca FILE   mTLS (an admin identity's certificate)
  -o, --output table|json|yaml   output format [table]
  --timeout DURATION        per call [10s]
  -h, --help                this help
`;

runMain('hostpilotctl', async (argv) => {
  const [noun, verb, ...rest] = argv;
  if (noun === undefined || noun === '--help' || noun === '-h' || noun === 'help') {
    process.stdout.write(USAGE);
    return noun === undefined ? 2 : 0;
  }
  // One-word commands (apply, get...) take what follows the noun as their arguments.
  const single = COMMANDS[`${noun} ${verb ?? ''}`] ? undefined : COMMANDS[noun];
  const command = single ?? COMMANDS[`${noun} ${verb ?? ''}`];
  if (!command) throw new UsageError(`unknown command ${JSON.stringify([noun, verb].filter(Boolean).join(' '))}`);
  const flags = parseFlags(single && verb !== undefined ? [verb, ...rest] : rest, { ...GLOBAL_OPTIONS, ...command.options }, { positionals: true });
  if (flags.values.help) {
    process.stdout.write(`Usage: hostpilotctl ${command.usage}\n`);
    return 0;
  }
  const output = (flags.values.output as string | undefined) ?? 'table';
  if (output !== 'table' && output !== 'json' && output !== 'yaml') throw new UsageError(`--output: ${JSON.stringify(output)} is not table, json or yaml`);
  let address: string;
  let timeoutMs: number;
  let tls;
  try {
    address = (flags.values.coordinator as string | undefined) ?? '127.0.0.1:7070';
    parseHostPort(address, '--coordinator');
    timeoutMs = parseDuration((flags.values.timeout as string | undefined) ?? '10s', '--timeout');
    tls = loadTls({ cert: flags.values['tls-cert'] as string | undefined, key: flags.values['tls-key'] as string | undefined, ca: flags.values['tls-ca'] as string | undefined });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const client = new CtlClient(address, tls, timeoutMs);
  try {
    return await command.run({ client, output, out: (t) => process.stdout.write(t), now: Date.now }, flags.positionals, flags.values);
  } finally {
    client.close();
  }
});
