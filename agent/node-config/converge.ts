// One pass of a rendered config over a node: `checkConfig` reads and reports
// what differs (drift), `applyConfig` puts it right. Only what the config
// names is read or touched; everything else on the node is not the agent's.
// Paths are the node's, under `root` ("/" on a node, a temp dir in tests).
import { join } from 'node:path';
import type { KernelArguments, RenderedConfig } from '../../common/api/node-config.js';
import { errorMessage } from '../../common/errors.js';
import { writeFileAtomic } from '../../common/fs.js';
import type { SysctlAccess } from '../net/sysctl.js';
import type { UnitManager } from '../systemd/unit-manager.js';
import type { DriftItem } from './drift.js';
import { fileDrift, observeFile, putFile } from './files.js';
import { hasChanges, kargsChanges, type KargsEditor } from './kargs.js';
import type { OwnerResolver } from './owners.js';
import { SYSCTL_FILE, applySysctls, sysctlDrift, sysctlFile } from './sysctls.js';
import { applyManagedUnits, planManagedUnits, unitDrift } from './units.js';

export interface ConvergeEnv {
  root: string;
  /** Where unit files and drop-ins go: <root>/etc/systemd/system on a node. */
  unitDir: string;
  sysctl: SysctlAccess;
  owners: OwnerResolver;
  /** Asked for only when the config has units (a config of files needs no systemd). */
  manager: () => UnitManager;
  /** Absent: kernel arguments cannot be changed here (refused when a config has some). */
  kargs?: KargsEditor;
}

export function defaultUnitDir(root: string): string {
  return join(root, 'etc/systemd/system');
}

export interface CheckResult {
  drift: DriftItem[];
  /** Units the config wants active that are failed. */
  failedUnits: string[];
}

export async function checkConfig(config: RenderedConfig, env: ConvergeEnv): Promise<CheckResult> {
  const drift: DriftItem[] = [];
  for (const file of config.files) {
    const ids = await env.owners.resolve(file.owner);
    for (const detail of fileDrift(file, ids, await observeFile(env.root, file.path))) drift.push({ kind: 'file', name: file.path, detail });
  }
  const sysctls = await sysctlFileDrift(config, env);
  if (sysctls) drift.push({ kind: 'sysctl', name: SYSCTL_FILE, detail: sysctls });
  for (const d of await sysctlDrift(env.sysctl, config.sysctls)) drift.push({ kind: 'sysctl', name: d.key, detail: d.have === null ? 'no such key on this kernel' : `is ${d.have}, want ${d.want}` });
  let failedUnits: string[] = [];
  if (config.units.length > 0) {
    const plan = await planManagedUnits(config.units, env.unitDir, env.manager(), { restart: false });
    drift.push(...unitDrift(plan));
    failedUnits = plan.failed;
  }
  return { drift, failedUnits };
}

/** The sysctl.d file's drift ('' when none): it exists only once a config had sysctls. */
async function sysctlFileDrift(config: RenderedConfig, env: ConvergeEnv): Promise<string> {
  const have = await observeFile(env.root, SYSCTL_FILE);
  if (have.contents === null && !have.notRegular && Object.keys(config.sysctls).length === 0) return '';
  const drift = fileDrift({ path: SYSCTL_FILE, mode: 0o644, contents: sysctlFile(config.sysctls) }, { uid: 0, gid: 0 }, have);
  return drift.join(', ');
}

export interface ApplyResult {
  /** One line per change made. */
  changed: string[];
  /** One line per change that failed (the rest went on). */
  failures: string[];
  /** Kernel arguments changed for the next boot. */
  kargsStaged: boolean;
  /** The kernel arguments configs have appended that the node did not have before (state.ts `kargsAdded`). */
  kargsAdded: string[];
}

/**
 * Puts the node in line with the config. Each item is tried on its own: one
 * failing (an unknown owner, a unit that fails to start) is reported and the
 * others still converge. `restart`: restart units whose files changed.
 */
export async function applyConfig(config: RenderedConfig, env: ConvergeEnv, options: { restart: boolean; kargsAdded?: readonly string[]; kargs?: boolean }): Promise<ApplyResult> {
  const changed: string[] = [];
  const failures: string[] = [];
  const attempt = async (what: string, fn: () => Promise<boolean>) => {
    try {
      if (await fn()) changed.push(what);
    } catch (err) {
      failures.push(`${what}: ${errorMessage(err)}`);
    }
  };
  for (const file of config.files) {
    await attempt(`file ${file.path}`, async () => {
      const ids = await env.owners.resolve(file.owner);
      const have = await observeFile(env.root, file.path);
      if (fileDrift(file, ids, have).length === 0) return false;
      await putFile(env.root, file, ids, have);
      return true;
    });
  }
  await attempt(`sysctl file ${SYSCTL_FILE}`, async () => {
    if (!(await sysctlFileDrift(config, env))) return false;
    await writeFileAtomic(join(env.root, SYSCTL_FILE), sysctlFile(config.sysctls), { mode: 0o644 });
    return true;
  });
  await attempt('sysctls', async () => {
    const drift = await sysctlDrift(env.sysctl, config.sysctls);
    if (drift.length === 0) return false;
    await applySysctls(env.sysctl, drift);
    changed.push(...drift.map((d) => `sysctl ${d.key}=${d.want}`));
    return false;
  });
  if (config.units.length > 0) {
    try {
      const units = await applyManagedUnits(config.units, env.unitDir, env.manager(), options);
      changed.push(...units.changed);
      failures.push(...units.failures);
    } catch (err) {
      failures.push(`units: ${errorMessage(err)}`);
    }
  }
  let kargsStaged = false;
  const previouslyAdded = options.kargsAdded ?? [];
  let kargsAdded = previouslyAdded.filter((a) => config.kernelArguments.append.includes(a));
  await attempt('kernel arguments', async () => {
    if (options.kargs === false) return false;
    const pending = await pendingKargs(config.kernelArguments, previouslyAdded, env);
    if (!pending) return false;
    await env.kargs!.change(pending);
    kargsStaged = true;
    kargsAdded = [...new Set([...kargsAdded, ...pending.append])];
    return true;
  });
  if (failures.some((f) => f.startsWith('kernel arguments:'))) kargsAdded = [...previouslyAdded];
  return { changed, failures, kargsStaged, kargsAdded };
}

/**
 * The kernel-argument changes the next boot still lacks; undefined when none.
 * An argument a config appended earlier (the node did not have it) and the
 * config no longer appends is deleted again: a config rolled back takes its
 * arguments with it. Arguments the node had of its own are never deleted unless asked.
 */
export async function pendingKargs(wanted: KernelArguments, previouslyAdded: readonly string[], env: ConvergeEnv): Promise<KernelArguments | undefined> {
  const dropped = previouslyAdded.filter((a) => !wanted.append.includes(a) && !wanted.delete.includes(a));
  if (wanted.append.length === 0 && wanted.delete.length === 0 && dropped.length === 0) return undefined;
  if (!env.kargs) throw new Error('this node cannot change kernel arguments (no OS backend for them)');
  const changes = kargsChanges(await env.kargs.current(), { append: wanted.append, delete: [...wanted.delete, ...dropped] });
  return hasChanges(changes) ? changes : undefined;
}
