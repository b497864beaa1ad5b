// hostpilot-agent config status: the node config the running agent applied
// (from the state dir) and its drift now, checked on demand.
import { UsageError, boolFlag, parseFlags, stringFlag } from '../../common/cli.js';
import { parseRenderedConfig } from '../../common/api/node-config.js';
import { ProcessRunner } from '../../common/exec/runner.js';
import { absolutePath, PATH_OPTIONS, PATH_USAGE, pathsFromFlags } from '../paths.js';
import { checkConfig } from '../node-config/converge.js';
import { NodeConfigStore } from '../node-config/state.js';
import { convergeEnv } from '../node-config/wiring.js';
import { resolveBusAddress } from '../systemd/bus.js';
import { UnitManager } from '../systemd/unit-manager.js';
import type { AgentCommand } from './command.js';

const USAGE = `Usage: hostpilot-agent config status [options]

  status     The node config the agent applied (its hash, a reboot it waits
             for) and what differs from it now: managed files (contents, mode,
             owner), sysctls, units. Exit 0 in sync, 3 drifted.

Options:
${PATH_USAGE}
  --node-config-root DIR    as the agent's run flag [/]
  --bus ADDRESS             System bus address [$DBUS_SYSTEM_BUS_ADDRESS, else
                            unix:path=/run/dbus/system_bus_socket]
  --json                    Machine-readable output
  -h, --help                This help
`;

export const command: AgentCommand = {
  summary: 'show the node config applied and its drift now',
  async main(args, io) {
    const flags = parseFlags(args, { ...PATH_OPTIONS, 'node-config-root': { type: 'string' }, bus: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, { positionals: true });
    if (boolFlag(flags, 'help')) {
      io.out(USAGE);
      return 0;
    }
    const [sub, ...extra] = flags.positionals;
    if (sub !== 'status') throw new UsageError(sub === undefined ? 'config: say status' : `config: unknown subcommand ${JSON.stringify(sub)}`);
    if (extra.length > 0) throw new UsageError(`config status: unexpected argument ${JSON.stringify(extra[0])}`);
    const root = absolutePath(stringFlag(flags, 'node-config-root') ?? '/', '--node-config-root');
    const busAddress = resolveBusAddress(stringFlag(flags, 'bus'), process.env, '--bus');
    const state = new NodeConfigStore(pathsFromFlags(flags).nodeConfig).load();
    const config = state.renderedJson ? parseRenderedConfig(state.renderedJson) : undefined;
    let manager: UnitManager | undefined;
    try {
      const result = config ? await checkConfig(config, convergeEnv(root, new ProcessRunner(), () => (manager ??= new UnitManager({ busAddress })))) : { drift: [], failedUnits: [] };
      if (boolFlag(flags, 'json')) {
        io.out(JSON.stringify({ applied: state.applied, rebootPending: state.rebootPending?.hash ?? '', sources: config?.sources ?? [], drift: result.drift, failedUnits: result.failedUnits }));
      } else {
        io.out(`applied: ${state.applied || '(none)'}${config ? ` (from ${config.sources.join(', ') || 'no NodeConfig'})` : ''}`);
        if (state.rebootPending) io.out(`waiting for a reboot to apply: ${state.rebootPending.hash}`);
        io.out(result.drift.length === 0 ? 'in sync' : `drift (${result.drift.length}):`);
        for (const d of result.drift) io.out(`  ${d.kind} ${d.name}: ${d.detail}`);
        for (const u of result.failedUnits) io.out(`failed unit: ${u}`);
      }
      return result.drift.length === 0 && result.failedUnits.length === 0 ? 0 : 3;
    } finally {
      manager?.close();
    }
  },
};
