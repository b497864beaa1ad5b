// The agent's view in the Kubernetes API: its reboot flow as node status and
// its conditions as node conditions. Only types are imported here, so the
// client library stays unloaded off Kubernetes.
import { isProblem } from '../../common/api/conditions.js';
import type { FlowStateName } from '../../common/api/flow-state.js';
import type { Logger } from '../../common/log.js';
import type { ConditionHub } from '../conditions.js';
import type { OsStatus } from '../os/backend.js';
import type { KubernetesIntegration } from './integration.js';

// The publisher writes only what changed; a failure is logged and retried with the next report.
export function publishToKubernetes(kube: KubernetesIntegration, flowState: FlowStateName, s: OsStatus | undefined, conditions: ConditionHub, log: Logger): void {
  const status = {
    ...(s?.booted?.version ? { bootedVersion: s.booted.version } : {}),
    flowState,
  };
  const nodeConditions = conditions.all().map((c) => ({ type: c.type.replace(/[^A-Za-z0-9]/g, ''), status: isProblem(c) ? ('True' as const) : ('False' as const), reason: c.reason, message: c.message }));
  void kube.status.publishStatus(status).catch((err: unknown) => log.warn('cannot publish node status', { err }));
  void kube.status.publishConditions(nodeConditions).catch((err: unknown) => log.warn('cannot publish node conditions', { err }));
}
