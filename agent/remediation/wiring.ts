// Assembles the remediation side of the agent: the order store in the state
// dir, the unit manager (the systemd area's, else one of its own, connected on
// first use), the Kubernetes cordon when the node is on Kubernetes.
import type { Registry } from 'prom-client';
import type { Logger } from '../../common/log.js';
import type { AgentConfig } from '../config.js';
import type { KubernetesIntegration } from '../k8s/integration.js';
import { UnitManager } from '../systemd/unit-manager.js';
import { Remediator } from './remediator.js';
import { RemediationStore } from './store.js';

export interface RemediationDeps {
  registry: Registry;
  log: Logger;
  manager?: UnitManager;
  kube?: KubernetesIntegration;
  report: () => void;
}

export function createRemediator(config: AgentConfig, deps: RemediationDeps): { remediator: Remediator; close(): void } {
  let own: UnitManager | undefined;
  const remediator = new Remediator({
    store: new RemediationStore(config.paths.remediation),
    config: config.remediation,
    units: () => deps.manager ?? (own ??= new UnitManager()),
    ...(deps.kube ? { cordon: (reason: string) => deps.kube!.cordonForRemediation(reason) } : {}),
    report: deps.report,
    log: deps.log,
    registry: deps.registry,
  });
  return {
    remediator,
    close() {
      remediator.close();
      own?.close();
    },
  };
}
