// rpm-ostree stages updates with finalization locked (`deploy
// --lock-finalization`), so a plain reboot would boot the old deployment.
// With a staged deployment, the reboot is `rpm-ostree finalize-deployment`
// (which reboots into it); otherwise the next rebooter (systemd) does it.
import { FailedPreconditionError } from '../../common/errors.js';
import type { RpmOstreeBackend } from '../os/rpm-ostree.js';
import type { Rebooter } from './ports.js';

export class FinalizingRebooter implements Rebooter {
  constructor(
    private readonly backend: RpmOstreeBackend,
    private readonly lockHeld: () => Promise<boolean>,
    private readonly otherwise: Rebooter,
  ) {}

  async reboot(reason: string): Promise<void> {
    const staged = (await this.backend.status()).deployments.find((d) => d.staged);
    if (!staged) return this.otherwise.reboot(reason);
    if (!(await this.lockHeld().catch(() => false))) throw new FailedPreconditionError('refusing to finalize and reboot: this node does not hold the reboot lock');
    await this.backend.finalizeDeployment(staged.checksum);
  }
}
