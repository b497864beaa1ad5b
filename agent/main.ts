#!/usr/bin/env node
// hostpilot-agent: wiring only. Each subcommand is a module under agent/cli/.
import { UsageError, runMain } from '../common/cli.js';
import { processIo, type AgentCommand } from './cli/command.js';

const COMMANDS: Record<string, () => Promise<{ command: AgentCommand }>> = {
  run: () => import('./cli/run.js'),
  os: () => import('./cli/os.js'),
  units: () => import('./cli/units.js'),
  config: () => import('./cli/config.js'),
  problems: () => import('./cli/problems.js'),
  net: () => import('./cli/net.js'),
  k8s: () => import('./cli/k8s.js'),
  storage: () => import('./cli/storage.js'),
};

function usage(): string {
  const lines = Object.keys(COMMANDS)
    .sort()
    .map((name) => `  ${name.padEnd(10)}`);
  return `Usage: hostpilot-agent COMMAND [options]   (hostpilot-agent COMMAND --help for its options)

The per-node agent of hostpilot.

Commands:
${lines.join('\n')}
`;
}

runMain('hostpilot-agent', async (argv) => {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    let text = usage();
    for (const [cmd, load] of Object.entries(COMMANDS)) text = text.replace(`  ${cmd.padEnd(10)}`, `  ${cmd.padEnd(10)} ${(await load()).command.summary}`);
    processIo.out(text);
    return name === undefined ? 2 : 0;
  }
  const load = COMMANDS[name];
  if (!load) throw new UsageError(`unknown command ${JSON.stringify(name)}`);
  const { command } = await load();
  return command.main(rest, processIo);
});
