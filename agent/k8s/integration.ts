// Wiring for the agent's run loop: from the parsed flags to a Drainer for the reboot
// flow and a NodeStatusPublisher, sharing one API client.
import type { Registry } from 'prom-client';
import type { Logger } from '../../common/log.js';
import { ClientNodeApi, loadKubeConfig, type NodeApi } from './api.js';
import type { Drainer } from '../reboot/ports.js';
import { KubernetesDrainer, realDrainClock, type DrainClock } from './drainer.js';
import type { K8sConfig } from './flags.js';
import { NodeStatusPublisher } from './node-status.js';

export interface KubernetesIntegration {
  api: NodeApi;
  /** The reboot flow's port (agent/reboot/ports.ts): the compiler checks KubernetesDrainer fits it. */
  drainer: Drainer;
  status: NodeStatusPublisher;
  /** Cordons the node for the fleet's remediation (agent/remediation/cordon.ts). */
  cordonForRemediation(reason: string): Promise<{ alreadyCordoned: boolean }>;
}

export function createKubernetesIntegration(
  config: K8sConfig,
  deps: { registry: Registry; logger: Logger; clock?: DrainClock; api?: NodeApi; heartbeatMs?: number },
): KubernetesIntegration {
  const api = deps.api ?? new ClientNodeApi(loadKubeConfig(config.kubeconfig));
  const clock = deps.clock ?? realDrainClock;
  const logger = deps.logger.child({ module: 'k8s' });
  const drainer = new KubernetesDrainer(api, config.drain, { clock, logger, registry: deps.registry });
  return {
    api,
    drainer,
    cordonForRemediation: (reason) => drainer.cordonForRemediation(reason),
    status: new NodeStatusPublisher(api, config.drain.nodeName, { now: clock.now, logger, ...(deps.heartbeatMs ? { heartbeatMs: deps.heartbeatMs } : {}) }),
  };
}
