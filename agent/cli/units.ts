// hostpilot-agent units status|apply: the declarative units of this node.
import { UsageError, boolFlag, parseFlags, stringFlag } from '../../common/cli.js';
import { loadAgentFile } from '../config-files.js';
import { PATH_OPTIONS, PATH_USAGE, pathsFromFlags } from '../paths.js';
import { convergeUnits, describeStep, planChanges, type Step } from '../systemd/declarative.js';
import { resolveBusAddress } from '../systemd/bus.js';
import { checkUnits } from '../systemd/health.js';
import { UnitManager } from '../systemd/unit-manager.js';
import type { UnitsConfig } from '../systemd/units-config.js';
import type { AgentCommand, CommandIo } from './command.js';

const USAGE = `Usage: hostpilot-agent units status|apply [options]

  status     Show each managed unit's drift from the config and each watched
             unit's health. Exit 0 when in sync and healthy, 3 when not.
  apply      Converge the managed units: write unit files and drop-ins
             (atomically, only when changed), daemon-reload, enable/disable,
             start/stop, restart units whose files changed. Exit 0 when converged.

Options:
  --config FILE             Agent config (JSON) whose "units" section lists the units
                            [CONFIG-DIR/agent.json; a missing default file manages nothing]
${PATH_USAGE}
  --bus ADDRESS             System bus address [$DBUS_SYSTEM_BUS_ADDRESS, else
                            unix:path=/run/dbus/system_bus_socket]
  --dry-run                 apply: print what would change, change nothing
  --json                    Machine-readable output
  -h, --help                This help
`;

function stepJson(step: Step): Record<string, unknown> {
  // Content stays out of the report: it is in the config, and may be long.
  const { ...rest } = step as Record<string, unknown>;
  delete rest.content;
  return rest;
}

async function status(config: UnitsConfig, manager: UnitManager, io: CommandIo, json: boolean): Promise<number> {
  const { plan } = await convergeUnits(config, manager, { dryRun: true });
  const watched = [...new Set([...config.manage.map((u) => u.name), ...config.watch])];
  const problems = await checkUnits(manager, watched);
  const inSync = !planChanges(plan) && !plan.some((s) => s.kind === 'cannot');
  if (json) {
    io.out(JSON.stringify({ inSync, drift: plan.map(stepJson), problems }));
  } else {
    if (config.manage.length === 0 && config.watch.length === 0) io.out('no units configured');
    for (const unit of config.manage) {
      const steps = plan.filter((s) => 'unit' in s && s.unit === unit.name);
      io.out(`${unit.name}: ${steps.length === 0 ? 'in sync' : `drift: ${steps.map((s) => s.detail).join('; ')}`}`);
    }
    for (const p of problems) io.out(`problem: ${p.message}`);
  }
  return inSync && problems.length === 0 ? 0 : 3;
}

async function apply(config: UnitsConfig, manager: UnitManager, io: CommandIo, json: boolean, dryRun: boolean): Promise<number> {
  const { plan, report } = await convergeUnits(config, manager, { dryRun });
  if (json) {
    io.out(
      JSON.stringify(
        report
          ? { dryRun, changed: report.changed, ok: report.ok, steps: report.steps.map((s) => ({ ...stepJson(s.step), outcome: s.outcome, ...(s.error ? { error: s.error } : {}) })) }
          : { dryRun, changed: false, ok: !plan.some((s) => s.kind === 'cannot'), steps: plan.map(stepJson) },
      ),
    );
  } else if (!report) {
    if (plan.length === 0) io.out('in sync: nothing would change');
    for (const s of plan) io.out(`would ${describeStep(s)}`);
  } else {
    if (report.steps.length === 0) io.out('in sync: nothing changed');
    for (const s of report.steps) io.out(`${s.outcome === 'done' ? 'done' : s.outcome}: ${describeStep(s.step)}${s.error && s.step.kind !== 'cannot' ? `: ${s.error}` : ''}`);
  }
  if (!report) return plan.some((s) => s.kind === 'cannot') ? 1 : 0;
  return report.ok ? 0 : 1;
}

export const command: AgentCommand = {
  summary: 'show drift of, or converge, the systemd units the config declares',
  async main(args, io) {
    const flags = parseFlags(
      args,
      {
        config: { type: 'string' },
        ...PATH_OPTIONS,
        bus: { type: 'string' },
        'dry-run': { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      { positionals: true },
    );
    if (boolFlag(flags, 'help')) {
      io.out(USAGE);
      return 0;
    }
    const [sub, ...extra] = flags.positionals;
    if (sub !== 'status' && sub !== 'apply') throw new UsageError(sub === undefined ? 'units: say status or apply' : `units: unknown subcommand ${JSON.stringify(sub)}`);
    if (extra.length > 0) throw new UsageError(`units ${sub}: unexpected argument ${JSON.stringify(extra[0])}`);
    if (sub === 'status' && boolFlag(flags, 'dry-run')) throw new UsageError('units status: --dry-run is for apply');
    const busAddress = resolveBusAddress(stringFlag(flags, 'bus'), process.env, '--bus');
    const file = stringFlag(flags, 'config');
    const config = loadAgentFile(file ?? pathsFromFlags(flags).agentConfig, file === undefined);
    const manager = new UnitManager({ busAddress });
    try {
      const json = boolFlag(flags, 'json');
      return sub === 'status' ? await status(config, manager, io, json) : await apply(config, manager, io, json, boolFlag(flags, 'dry-run'));
    } finally {
      manager.close();
    }
  },
};
