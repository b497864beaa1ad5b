// The resource service with its kinds, loaded from the store and kept in step
// with what other replicas apply (LockGroups change the lock service's groups).
import type { Registry } from 'prom-client';
import type { Logger } from '../../common/log.js';
import type { LockService } from '../locks/lock-service.js';
import type { ConfigService } from '../configs/service.js';
import type { RolloutController } from '../rollout/controller.js';
import type { Store } from '../store/store.js';
import { LockGroupResources } from './lock-groups.js';
import { NodeConfigResources } from './node-configs.js';
import { RolloutResources } from './rollouts.js';
import { RemediationPolicyResources } from './remediation-policies.js';
import type { RemediationController } from '../remediation/controller.js';
import { ResourceService } from './service.js';
import type { KindHandler } from './handler.js';

export interface ResourcesDeps {
  store: Store;
  locks: LockService;
  rollouts: RolloutController;
  configs: ConfigService;
  remediation: RemediationController;
  registry: Registry;
  log: Logger;
  now: () => number;
  refreshMs: number;
}

/** One handler per kind (the service refuses to start without every kind's). */
export function resourceHandlers(deps: Pick<ResourcesDeps, 'store' | 'locks' | 'rollouts' | 'configs' | 'remediation'>): KindHandler[] {
  return [new LockGroupResources(deps.store, deps.locks), new NodeConfigResources(deps.configs), new RolloutResources(deps.store, deps.rollouts), new RemediationPolicyResources(deps.remediation)];
}

export async function startResources(deps: ResourcesDeps): Promise<{ service: ResourceService; stop(): void }> {
  const service = new ResourceService(deps.store, resourceHandlers(deps), deps.registry, deps.log, deps.now);
  await service.refresh();
  const timer = setInterval(() => void service.refresh().catch((err: unknown) => deps.log.warn('cannot read resources from the store', { err })), deps.refreshMs);
  timer.unref();
  return { service, stop: () => clearInterval(timer) };
}
