// hostpilot-agent storage plan|apply|status: the container runtime's
// direct-lvm thin pool (agent/storage). Wiring only.
import { readFileSync } from 'node:fs';
import { UsageError, boolFlag, parseFlags, stringFlag } from '../../common/cli.js';
import { InvalidArgumentError } from '../../common/errors.js';
import { ProcessRunner, type CommandRunner } from '../../common/exec/runner.js';
import { applyStorage, describeStep } from '../storage/apply.js';
import { conditionJson, judgePool, updateConditions } from '../storage/conditions.js';
import { parseStorageConfigText, type StorageConfig } from '../storage/config.js';
import { PATH_OPTIONS, PATH_USAGE, pathsFromFlags } from '../paths.js';
import { LocalFiles, type StorageFiles } from '../storage/files.js';
import { observeStorage, readPoolStatus } from '../storage/observe.js';
import { planStorage } from '../storage/planner.js';
import { formatBytes } from '../storage/size.js';
import type { AgentCommand, CommandIo } from './command.js';

const USAGE = `Usage: hostpilot-agent storage plan|apply|status [--config FILE | --config-dir DIR] [--json]

The container runtime's direct-lvm thin pool (docs/storage.md).
  plan     print the lvm commands apply would run, and why; changes nothing
  apply    run them; a second apply runs nothing
  status   the pool's size, data/metadata use, health and conditions

Options:
  --config FILE             storage config (JSON) [CONFIG-DIR/storage.json]
${PATH_USAGE}
  --json                    machine-readable output
`;

/** Seams for tests: the runner, the files and the clock. */
export interface StorageDeps {
  runner: CommandRunner;
  files: StorageFiles;
  now: () => Date;
  readConfig: (path: string) => string;
}

const defaultDeps = (): StorageDeps => ({
  runner: new ProcessRunner(),
  files: new LocalFiles(),
  now: () => new Date(),
  readConfig: (path) => readFileSync(path, 'utf8'),
});

function loadConfig(deps: StorageDeps, path: string): StorageConfig {
  let text: string;
  try {
    text = deps.readConfig(path);
  } catch (err) {
    throw new InvalidArgumentError('--config', `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return parseStorageConfigText(text, path);
}

const pct = (v: number | undefined) => (v === undefined ? 'N/A' : `${v.toFixed(2)}%`);

export async function storageMain(args: string[], io: CommandIo, deps: StorageDeps = defaultDeps()): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(USAGE);
    return 0;
  }
  const flags = parseFlags(args, { config: { type: 'string' }, ...PATH_OPTIONS, json: { type: 'boolean' } }, { positionals: true });
  const [sub, ...extra] = flags.positionals;
  if (sub === undefined) throw new UsageError('storage: missing subcommand (plan, apply or status)');
  if (extra.length > 0) throw new UsageError(`storage: unexpected argument ${JSON.stringify(extra[0])}`);
  const json = boolFlag(flags, 'json');
  const configPath = stringFlag(flags, 'config') ?? pathsFromFlags(flags).storageConfig;
  const target = (c: StorageConfig) => `${c.volumeGroup}/${c.thinPool}`;

  switch (sub) {
    case 'plan': {
      const config = loadConfig(deps, configPath);
      const plan = planStorage(config, await observeStorage(deps.runner, deps.files, config));
      if (json) {
        io.out(JSON.stringify(plan, null, 2));
        return 0;
      }
      if (plan.steps.length === 0) io.out(`storage plan: no changes: ${target(config)} matches ${configPath}`);
      else {
        const lines = [`storage plan: ${plan.steps.length} step(s) for ${target(config)}${plan.estimated ? ' (later sizes estimated; apply re-plans with real ones)' : ''}`];
        plan.steps.forEach((s, i) => lines.push(`  ${i + 1}. ${describeStep(s)}`, `     why: ${s.reason}`));
        io.out(lines.join('\n'));
      }
      for (const n of plan.notes) io.out(`note: ${n}`);
      return 0;
    }
    case 'apply': {
      const config = loadConfig(deps, configPath);
      const result = await applyStorage(deps.runner, deps.files, config, (done) => {
        if (!json) io.out(`ran: ${describeStep(done.step)} (${(done.durationMs / 1000).toFixed(1)} s)\n  why: ${done.step.reason}`);
      });
      if (json) {
        io.out(JSON.stringify({ changed: result.applied.length > 0, applied: result.applied.map((a) => ({ ...a.step, output: a.output, durationMs: a.durationMs })), notes: result.notes }, null, 2));
        return 0;
      }
      io.out(result.applied.length === 0 ? `storage apply: no changes: ${target(config)} already matches ${configPath}` : `storage apply: ${result.applied.length} step(s) applied to ${target(config)}`);
      for (const n of result.notes) io.out(`note: ${n}`);
      return 0;
    }
    case 'status': {
      const config = loadConfig(deps, configPath);
      const status = await readPoolStatus(deps.runner, config);
      const conditions = updateConditions([], judgePool(config, status), deps.now());
      if (json) {
        io.out(JSON.stringify({ status, conditions: conditions.map(conditionJson) }, null, 2));
        return 0;
      }
      const lines = [`volume group ${config.volumeGroup}: ${status.vgExists ? `${formatBytes(status.vgSizeBytes ?? 0)}, ${formatBytes(status.vgFreeBytes ?? 0)} free, PVs ${status.physicalVolumes.join(' ')}` : 'absent'}`];
      const p = status.pool;
      if (p) {
        lines.push(
          `thin pool ${target(config)}: ${formatBytes(p.sizeBytes)}, data ${pct(p.dataPercent)}, metadata ${pct(p.metadataPercent)} of ${p.metadataSizeBytes === undefined ? 'N/A' : formatBytes(p.metadataSizeBytes)}`,
          `  attr ${p.attr} (${p.problems.length === 0 ? 'healthy' : p.problems.join(', ')}), ${p.active ? 'active' : 'inactive'}, ${p.monitor ?? 'monitoring N/A'}, profile ${p.profile ?? 'none'}, ${p.thinVolumes} thin volume(s)`,
        );
      } else lines.push(`thin pool ${target(config)}: absent`);
      for (const c of conditions) lines.push(`condition ${c.type}=${c.status} (${c.reason}): ${c.message}`);
      io.out(lines.join('\n'));
      return 0;
    }
    default:
      throw new UsageError(`storage: unknown subcommand ${JSON.stringify(sub)} (plan, apply or status)`);
  }
}

export const command: AgentCommand = {
  summary: 'plan, apply and show the container runtime thin pool (direct-lvm)',
  main: (args, io) => storageMain(args, io),
};
