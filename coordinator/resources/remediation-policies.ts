// RemediationPolicy resources: stored documents the remediation controller
// reads on each pass (every replica, so a new leader finds them); its status
// is what the controller is doing under the policy.
import type { Spec } from '../../common/api/resources.js';
import type { RemediationController } from '../remediation/controller.js';
import type { KindHandler } from './handler.js';

export class RemediationPolicyResources implements KindHandler {
  readonly kind = 'RemediationPolicy';

  constructor(private readonly remediation: RemediationController) {}

  async live(): Promise<Spec | undefined> {
    return undefined;
  }

  async implicit(): Promise<Array<{ name: string; spec: Spec; managedBy: string }>> {
    return [];
  }

  check(): void {}

  async apply(): Promise<void> {}

  async remove(): Promise<void> {}

  async status(name: string): Promise<Record<string, unknown>> {
    const mine = (await this.remediation.list()).filter((e) => e.policy === name);
    return {
      active: mine.filter((e) => e.step !== '').length,
      waiting: mine.filter((e) => e.step === '' && !e.needsReprovision).length,
      needsReprovision: mine.filter((e) => e.needsReprovision).map((e) => e.node),
    };
  }

  /** A policy applied or deleted: the controller acts on it now, not at its next timer pass. */
  async changed(): Promise<void> {
    void this.remediation.pass();
  }
}
