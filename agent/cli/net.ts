// hostpilot-agent net: look at and repair the host's pod network by hand,
// the same pass the agent's reconciler runs on its interval.
import { Registry } from 'prom-client';
import { parseFlags, listFlag, stringFlag, boolFlag, UsageError } from '../../common/cli.js';
import { ProcessRunner, type CommandRunner } from '../../common/exec/runner.js';
import { DEFAULT_VETH_PREFIX } from '../net/config.js';
import { PATH_OPTIONS, PATH_USAGE, pathsFromFlags } from '../paths.js';
import { PodNetworkReconciler } from '../net/reconciler.js';
import { PodStateStore } from '../net/state-store.js';
import { validateAbsolutePath } from '../net/validate.js';
import type { AgentCommand, CommandIo } from './command.js';

const USAGE = `Usage: hostpilot-agent net COMMAND [options]

Commands:
  pods         list the pods hostpilot-cni recorded
  reconcile    repair drift between the host and the records (routes, sysctls, veths, gone pods)

Options:
${PATH_USAGE}
  --cni-state-dir DIR       the plugin's stateDir, as in its network config [STATE-DIR/cni]
  --veth-prefix P           host veth prefix whose unrecorded veths are orphans (repeatable) [${DEFAULT_VETH_PREFIX}]
  --dry-run                 reconcile: print what would be repaired, change nothing
  --json                    print JSON
`;

export function createNetCommand(deps: { runner: CommandRunner }): AgentCommand {
  return {
    summary: 'pod network: list CNI pods, reconcile host routes and veths',
    async main(args: string[], io: CommandIo): Promise<number> {
      if (args.includes('--help') || args.includes('-h')) {
        io.out(USAGE);
        return 0;
      }
      const flags = parseFlags(args, { ...PATH_OPTIONS, 'cni-state-dir': { type: 'string' }, 'veth-prefix': { type: 'string', multiple: true }, 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } }, { positionals: true });
      const [sub, ...extra] = flags.positionals;
      if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
      const cniStateDir = stringFlag(flags, 'cni-state-dir');
      const stateDir = cniStateDir === undefined ? pathsFromFlags(flags).cniStateDir : validateAbsolutePath(cniStateDir, '--cni-state-dir');
      const json = boolFlag(flags, 'json');
      switch (sub) {
        case 'pods': {
          const { records, errors } = await new PodStateStore(stateDir).list();
          if (json) io.out(JSON.stringify({ pods: records.map(({ config: _config, ...r }) => r), errors }));
          else {
            for (const r of records) io.out(`${r.containerId}\t${r.ifName}\t${r.address || '-'}\t${r.hostVeth}\t${r.phase}\t${r.netns}`);
            for (const e of errors) io.err(`unreadable record ${e}`);
          }
          return errors.length > 0 ? 1 : 0;
        }
        case 'reconcile': {
          const prefixes = listFlag(flags, 'veth-prefix');
          const reconciler = new PodNetworkReconciler({ runner: deps.runner, registry: new Registry(), stateDir, ...(prefixes.length > 0 ? { vethPrefixes: prefixes } : {}) });
          const report = boolFlag(flags, 'dry-run') ? await reconciler.plan() : await reconciler.reconcileOnce();
          if (json) io.out(JSON.stringify(report));
          else {
            if (report.changes.length === 0 && report.errors.length === 0) io.out('in sync: nothing to repair');
            for (const c of report.changes) io.out(boolFlag(flags, 'dry-run') ? `would repair: ${c}` : c);
            for (const e of report.errors) io.err(e);
          }
          return report.errors.length > 0 ? 1 : 0;
        }
        case undefined:
          throw new UsageError('missing command (pods or reconcile)');
        default:
          throw new UsageError(`unknown net command ${JSON.stringify(sub)}`);
      }
    },
  };
}

export const command: AgentCommand = createNetCommand({ runner: new ProcessRunner() });
