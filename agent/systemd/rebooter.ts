// The production Rebooter: asks logind (or, where logind is not running,
// systemd itself) to reboot over D-Bus — a clean shutdown, as `systemctl
// reboot` does — and only after checking that this node holds its reboot
// lock. A lock check that errors blocks the reboot (docs/architecture.md, rule 3).
import { FailedPreconditionError, InvalidArgumentError, UnavailableError, errorMessage } from '../../common/errors.js';
import { type Logger, silentLogger } from '../../common/log.js';
import type { Rebooter } from '../reboot/ports.js';
import type { UnitManager } from './unit-manager.js';

/** The reboot was refused because the node does not (provably) hold its reboot lock. */
export class LockNotHeldError extends FailedPreconditionError {
  constructor(detail: string) {
    super(`refusing to reboot: ${detail}`);
  }
}

export type RebootMethod = 'auto' | 'logind' | 'systemd';

export interface SystemdRebooterOptions {
  manager: UnitManager;
  /** True only when the coordinator has granted this node's lock. */
  lockHeld: () => Promise<boolean>;
  /** auto: logind when it answers, else systemd's reboot.target. */
  method?: RebootMethod;
  logger?: Logger;
}

const LOGIND = 'org.freedesktop.login1';

export class SystemdRebooter implements Rebooter {
  private readonly method: RebootMethod;
  private readonly logger: Logger;

  constructor(private readonly options: SystemdRebooterOptions) {
    this.method = options.method ?? 'auto';
    this.logger = options.logger ?? silentLogger;
  }

  async reboot(reason: string): Promise<void> {
    if (typeof reason !== 'string' || reason.trim() === '' || reason.length > 500) throw new InvalidArgumentError('reason', 'must be 1-500 characters');
    let held: boolean;
    try {
      held = await this.options.lockHeld();
    } catch (err) {
      throw new LockNotHeldError(`could not check the reboot lock: ${errorMessage(err)}`);
    }
    if (held !== true) throw new LockNotHeldError('this node does not hold its reboot lock');
    this.logger.warn('rebooting', { reason, method: this.method });
    if (this.method === 'logind' || this.method === 'auto') {
      try {
        await this.viaLogind();
        return;
      } catch (err) {
        // Only a missing logind falls back; logind refusing (inhibitors, policy) stands.
        if (this.method === 'logind' || !(err instanceof UnavailableError)) throw err;
        this.logger.info('logind not available; rebooting through systemd', { error: errorMessage(err) });
      }
    }
    await this.viaSystemd();
  }

  private async viaLogind(): Promise<void> {
    const bus = await this.options.manager.bus();
    // interactive=false: never wait for a polkit prompt. Block inhibitors make this fail, as they should.
    await bus.call({ destination: LOGIND, path: '/org/freedesktop/login1', interface: `${LOGIND}.Manager`, member: 'Reboot', signature: 'b', body: [false] });
  }

  private async viaSystemd(): Promise<void> {
    const bus = await this.options.manager.bus();
    // What `systemctl reboot` does without logind: queue reboot.target so every unit stops cleanly.
    // Not awaited to its JobRemoved: the system goes down meanwhile.
    await bus.call({
      destination: 'org.freedesktop.systemd1',
      path: '/org/freedesktop/systemd1',
      interface: 'org.freedesktop.systemd1.Manager',
      member: 'StartUnit',
      signature: 'ss',
      body: ['reboot.target', 'replace-irreversibly'],
      unit: 'reboot.target',
    });
  }
}
