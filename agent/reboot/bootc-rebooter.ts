// bootc stages updates download-only (agent/os/bootc.ts), so a plain reboot
// would boot the old image. With a staged deployment the reboot is `bootc
// upgrade --from-downloaded --apply`, a systemd soft reboot (userspace only)
// when the staged image allows it and the policy does; otherwise, and on a
// bootc too old to apply a download, the next rebooter (systemd) does it.
// The flow verifies the boot the same way either way.
import { FailedPreconditionError } from '../../common/errors.js';
import type { Deployment } from '../os/backend.js';
import type { BootcBackend } from '../os/bootc.js';
import type { Logger } from '../../common/log.js';
import type { Rebooter } from './ports.js';

export type SoftRebootPolicy = 'auto' | 'never';

/** Soft only when bootc says the staged deployment can be (same kernel and initramfs) and the policy allows it. */
export function rebootKind(staged: Deployment, policy: SoftRebootPolicy): 'soft' | 'full' {
  return policy === 'auto' && staged.bootc?.softRebootCapable === true ? 'soft' : 'full';
}

export class BootcRebooter implements Rebooter {
  constructor(
    private readonly backend: BootcBackend,
    private readonly lockHeld: () => Promise<boolean>,
    private readonly otherwise: Rebooter,
    private readonly policy: () => SoftRebootPolicy,
    private readonly log: Logger,
  ) {}

  async reboot(reason: string): Promise<void> {
    const staged = (await this.backend.status()).deployments.find((d) => d.staged);
    if (!staged) return this.otherwise.reboot(reason);
    if (!(await this.lockHeld().catch(() => false))) throw new FailedPreconditionError('refusing to apply the staged image and reboot: this node does not hold the reboot lock');
    const kind = rebootKind(staged, this.policy());
    this.log.warn('applying the staged image', { reason, image: staged.bootc?.image, digest: staged.checksum, reboot: kind });
    if (!(await this.backend.applyStaged(staged.checksum, kind === 'soft'))) await this.otherwise.reboot(reason);
  }
}
