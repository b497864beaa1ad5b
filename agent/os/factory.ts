// Picks the OS backend from configuration (`--backend`, `--sysroot`). With
// `auto` (the default) it asks the host, in this order: bootc when `bootc
// status` shows a booted image bootc can manage (not `incompatible`), else
// rpm-ostree when `rpm-ostree status --json` answers, else plain ostree. The
// choice and the reason are kept so `os status` can say them.
import { errorMessage, InvalidArgumentError } from '../../common/errors.js';
import type { CommandRunner } from '../../common/exec/runner.js';
import type { Logger } from '../../common/log.js';
import type { OsBackend, OsBackendChoice, OsBackendName } from './backend.js';
import { BootcBackend } from './bootc.js';
import { HostMountNamespaceRunner } from './host-namespace.js';
import { OstreeBackend } from './ostree.js';
import { RpmOstreeBackend } from './rpm-ostree.js';

export const BACKEND_NAMES: readonly OsBackendName[] = ['bootc', 'rpm-ostree', 'ostree'];
export const BACKEND_CHOICES: readonly OsBackendChoice[] = ['auto', ...BACKEND_NAMES];

export function parseBackendName(value: string, field = 'backend'): OsBackendChoice {
  if ((BACKEND_CHOICES as readonly string[]).includes(value)) return value as OsBackendChoice;
  throw new InvalidArgumentError(field, `${JSON.stringify(value)} is not one of ${BACKEND_CHOICES.join(', ')}`);
}

export interface BackendConfig {
  backend: OsBackendName;
  /** ostree only; default `/`. */
  sysroot?: string;
  runner: CommandRunner;
  logger?: Logger;
}

export function createOsBackend(config: BackendConfig): OsBackend {
  if (config.sysroot !== undefined && config.backend !== 'ostree') {
    throw new InvalidArgumentError('sysroot', `applies only to the ostree backend (${config.backend} manages the running system)`);
  }
  switch (config.backend) {
    case 'bootc':
      return new BootcBackend({ runner: config.runner, ...(config.logger ? { logger: config.logger } : {}) });
    case 'rpm-ostree':
      return new RpmOstreeBackend({ runner: config.runner });
    case 'ostree':
      return new OstreeBackend({ runner: config.runner, ...(config.sysroot !== undefined ? { sysroot: config.sysroot } : {}) });
  }
}

/** Which backend runs and why (for `os status`, the agent's start-up log and its report). */
export interface BackendSelection {
  backend: OsBackend;
  name: OsBackendName;
  reason: string;
}

export interface SelectConfig extends Omit<BackendConfig, 'backend'> {
  backend: OsBackendChoice;
  /** Run the host's own OS clients in this mount namespace (a pod: /proc/1/ns/mnt). */
  hostMountNamespace?: string;
}

export async function selectOsBackend(options: SelectConfig): Promise<BackendSelection> {
  const { hostMountNamespace, ...rest } = options;
  const config = hostMountNamespace ? { ...rest, runner: new HostMountNamespaceRunner(rest.runner, hostMountNamespace) } : rest;
  if (config.backend !== 'auto') {
    return { backend: createOsBackend({ ...config, backend: config.backend }), name: config.backend, reason: 'chosen with --backend' };
  }
  // A sysroot is an OSTree one: there is nothing to detect.
  if (config.sysroot !== undefined) return { backend: createOsBackend({ ...config, backend: 'ostree' }), name: 'ostree', reason: '--sysroot names an OSTree sysroot' };
  const name = await detectBackend(config.runner);
  return { backend: createOsBackend({ ...config, backend: name.name }), ...name };
}

/** The auto-detection itself: asks the host's own clients, through the runner. */
export async function detectBackend(runner: CommandRunner): Promise<{ name: OsBackendName; reason: string }> {
  let bootcSays: string;
  try {
    const status = await new BootcBackend({ runner }).status();
    if (status.booted && !status.incompatible) {
      return { name: 'bootc', reason: `bootc status shows the booted image ${status.booted.bootc?.image || status.booted.checksum}` };
    }
    bootcSays = status.booted ? 'bootc: the booted deployment is incompatible (client-side layering)' : 'bootc: no booted image (not a bootc host)';
  } catch (err) {
    bootcSays = `bootc: ${oneLine(err)}`;
  }
  try {
    await new RpmOstreeBackend({ runner }).status();
    return { name: 'rpm-ostree', reason: `rpm-ostree status answers; ${bootcSays}` };
  } catch (err) {
    return { name: 'ostree', reason: `neither bootc nor rpm-ostree manages this host (${bootcSays}; rpm-ostree: ${oneLine(err)})` };
  }
}

function oneLine(err: unknown): string {
  return errorMessage(err).split('\n')[0]!.slice(0, 200);
}
