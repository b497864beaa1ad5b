// What differs on a sandbox host (tests, the demo, benchmarks: an OSTree
// sysroot in a directory, not the running system): a "reboot" boots the
// sysroot's default deployment and restarts the agent, the image's health
// checks are in the booted deployment's checkout, and the boot id is the
// sandbox marker's. A real host gets the systemd rebooter (finalizing a
// staged rpm-ostree deployment first), / and the kernel's boot id.
import type { Logger } from '../../common/log.js';
import type { RebootConfig } from '../config.js';
import { readBootId } from '../identity.js';
import type { OsBackend, OsStatus } from '../os/backend.js';
import { OstreeBackend } from '../os/ostree.js';
import { RpmOstreeBackend } from '../os/rpm-ostree.js';
import { BootcBackend } from '../os/bootc.js';
import { BootcRebooter } from './bootc-rebooter.js';
import { readSandboxMarker } from '../os/sandbox-boot.js';
import { SystemdRebooter } from '../systemd/rebooter.js';
import { UnitManager } from '../systemd/unit-manager.js';
import { FinalizingRebooter } from './finalizing-rebooter.js';
import type { Rebooter } from './ports.js';
import { SANDBOX_REBOOT_EXIT_CODE, SandboxRebooter } from './sandbox-rebooter.js';

export interface Host {
  rebooter: Rebooter;
  /** The root of the running image, whose /usr/lib/hostpilot/health.d holds its own checks; undefined when none is booted. */
  imageRoot(): Promise<string | undefined>;
  bootId(): string;
}

export interface HostDeps {
  reboot: RebootConfig;
  backend: OsBackend;
  status: () => Promise<OsStatus>;
  /** Confirms with the coordinator, right before rebooting, that this node holds its slot. */
  lockHeld: () => Promise<boolean>;
  /** The systemd area's manager when it runs (one bus connection), else a new one. */
  manager?: UnitManager;
  /** Sandbox mode: called when the sandbox "reboots" (the process should exit and be restarted). */
  onSandboxReboot?: () => void;
  log: Logger;
}

export async function createHost(deps: HostDeps): Promise<Host> {
  const { reboot, backend, lockHeld, log } = deps;
  if (reboot.sandbox) {
    const sandbox = backend as OstreeBackend;
    // The marker's boot id is read once per process, like a kernel's.
    const marker = await readSandboxMarker(reboot.sysroot!);
    return {
      rebooter: new SandboxRebooter(sandbox, lockHeld, reboot.rebootRequiredFile, deps.onSandboxReboot ?? (() => process.exit(SANDBOX_REBOOT_EXIT_CODE)), log),
      imageRoot: async () => {
        const booted = (await deps.status()).booted;
        return booted ? sandbox.deploymentPath(booted) : undefined;
      },
      bootId: () => marker?.bootId ?? 'sandbox-unbooted',
    };
  }
  const systemd = new SystemdRebooter({ manager: deps.manager ?? new UnitManager(), lockHeld, logger: log });
  return {
    rebooter:
      backend instanceof RpmOstreeBackend
        ? new FinalizingRebooter(backend, lockHeld, systemd)
        : backend instanceof BootcBackend
          ? new BootcRebooter(backend, lockHeld, systemd, () => reboot.softReboot, log)
          : systemd,
    imageRoot: async () => '/',
    bootId: readBootId,
  };
}
