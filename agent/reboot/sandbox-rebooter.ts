// The rebooter for sandbox hosts (tests, the demo, benchmarks): a "reboot"
// boots the sysroot's default deployment (a new boot marker and boot id),
// clears the reboot-required flag as a real boot clears /run, and restarts
// the agent process the way a real boot would.
import { rmSync } from 'node:fs';
import { FailedPreconditionError } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import type { OstreeBackend } from '../os/ostree.js';
import { bootDefaultDeployment } from '../os/sandbox-boot.js';
import type { Rebooter } from './ports.js';

/** The exit code that asks the demo's supervisor to start the agent again ("the machine rebooted"). */
export const SANDBOX_REBOOT_EXIT_CODE = 75;

export class SandboxRebooter implements Rebooter {
  constructor(
    private readonly backend: OstreeBackend,
    /** Confirms with the coordinator that this node holds its slot now. */
    private readonly lockHeld: () => Promise<boolean>,
    private readonly rebootRequiredFile: string,
    private readonly restart: () => void,
    private readonly log: Logger,
  ) {}

  async reboot(reason: string): Promise<void> {
    if (!(await this.lockHeld().catch(() => false))) throw new FailedPreconditionError('refusing to reboot: this node does not hold the reboot lock');
    const booted = await bootDefaultDeployment(this.backend);
    rmSync(this.rebootRequiredFile, { force: true });
    this.log.warn('sandbox reboot', { reason, booted: booted.version || booted.checksum.slice(0, 12) });
    this.restart();
  }
}
