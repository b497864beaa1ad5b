// "Booting" a sandbox sysroot. A sysroot built in a directory (tests, the
// demo, a fleet benchmark) is not the running system, so ostree marks nothing
// booted there. A small marker file (sandbox-marker.ts) records which
// deployment the sandbox host runs; the ostree backend reads it as the booted
// deployment, and the sandbox rebooter "reboots" by calling
// bootDefaultDeployment(), which writes it for the current default deployment.
import { randomUUID } from 'node:crypto';
import { FailedPreconditionError } from '../../common/errors.js';
import { ProcessRunner, type CommandRunner } from '../../common/exec/runner.js';
import type { Deployment } from './backend.js';
import { OstreeBackend } from './ostree.js';
import { parseDeploymentId, readSandboxMarker, writeSandboxMarker } from './sandbox-marker.js';

export { SANDBOX_MARKER, parseDeploymentId, readSandboxMarker, sandboxMarkerPath, writeSandboxMarker, type SandboxBootMarker } from './sandbox-marker.js';

/**
 * "Reboots" a sandbox sysroot into its default deployment: writes the marker
 * for deployment 0 with a new boot id. Takes an OstreeBackend or a sysroot
 * path (then runs `ostree` through `runner`, a ProcessRunner by default).
 * Returns the deployment now booted.
 */
export async function bootDefaultDeployment(
  target: OstreeBackend | string,
  options: { runner?: CommandRunner; now?: () => Date } = {},
): Promise<Deployment> {
  const backend = typeof target === 'string' ? new OstreeBackend({ sysroot: target, runner: options.runner ?? new ProcessRunner() }) : target;
  const status = await backend.status();
  const first = status.deployments[0];
  if (!first) throw new FailedPreconditionError(`sandbox boot: sysroot ${backend.sysroot} has no deployment`);
  const previous = await readSandboxMarker(backend.sysroot);
  const { osname, checksum, serial } = parseDeploymentId(first.id);
  await writeSandboxMarker(backend.sysroot, {
    osname,
    checksum,
    serial,
    bootId: randomUUID(),
    bootedAt: (options.now?.() ?? new Date()).toISOString(),
    bootCount: (previous?.bootCount ?? 0) + 1,
  });
  return { ...first, booted: true };
}
