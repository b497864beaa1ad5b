// Picks the OS backend from configuration (`--backend`, `--sysroot`).
import { InvalidArgumentError } from '../../common/errors.js';
import type { CommandRunner } from '../../common/exec/runner.js';
import type { OsBackend, OsBackendName } from './backend.js';
import { OstreeBackend } from './ostree.js';
import { RpmOstreeBackend } from './rpm-ostree.js';

export const BACKEND_NAMES: readonly OsBackendName[] = ['rpm-ostree', 'ostree'];

export function parseBackendName(value: string, field = 'backend'): OsBackendName {
  if ((BACKEND_NAMES as readonly string[]).includes(value)) return value as OsBackendName;
  throw new InvalidArgumentError(field, `${JSON.stringify(value)} is not one of ${BACKEND_NAMES.join(', ')}`);
}

export interface BackendConfig {
  backend: OsBackendName;
  /** ostree only; default `/`. */
  sysroot?: string;
  runner: CommandRunner;
}

export function createOsBackend(config: BackendConfig): OsBackend {
  if (config.backend === 'rpm-ostree') {
    if (config.sysroot !== undefined) throw new InvalidArgumentError('sysroot', 'applies only to the ostree backend (rpm-ostree manages the running system)');
    return new RpmOstreeBackend({ runner: config.runner });
  }
  return new OstreeBackend({ runner: config.runner, ...(config.sysroot !== undefined ? { sysroot: config.sysroot } : {}) });
}
