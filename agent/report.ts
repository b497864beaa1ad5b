// What the agent tells the coordinator: its registration, and the NodeReport
// it streams (OS deployments, reboot flow, conditions). On Kubernetes the same
// moment publishes the node's status there.
import { hostname } from 'node:os';
import { toWireCondition } from '../common/api/conditions.js';
import type { Logger } from '../common/log.js';
import type { Deployment as WireDeployment } from '../proto/generated/hostpilot/v1/Deployment.js';
import type { NodeReport } from '../proto/generated/hostpilot/v1/NodeReport.js';
import type { OsFacts } from '../proto/generated/hostpilot/v1/OsFacts.js';
import type { RemediationResult } from '../proto/generated/hostpilot/v1/RemediationResult.js';
import type { RegisterRequest } from '../proto/generated/hostpilot/v1/RegisterRequest.js';
import type { ConditionHub } from './conditions.js';
import type { KubernetesIntegration } from './k8s/integration.js';
import { publishToKubernetes } from './k8s/publish.js';
import type { OsStatus } from './os/backend.js';
import { summary } from './reboot/controller.js';
import type { FlowState } from './reboot/flow.js';

export const AGENT_VERSION = '0.1.0';

export interface ReportSources {
  nodeId: string;
  labels: Record<string, string>;
  os: OsFacts;
  /** The OS status, cached between flow ticks; undefined when it cannot be read now. */
  status: () => Promise<OsStatus | undefined>;
  flow: () => FlowState;
  /** An image tag the flow resolved (`IMAGE:TAG@sha256:…`), '' for none (reboot/controller.ts). */
  resolvedTarget?: () => string;
  conditions: ConditionHub;
  /** The node config hash applied ('' for none): agent/node-config/agent.ts. */
  configHash?: () => string;
  /** The last remediation order's result (agent/remediation/). */
  remediation?: () => RemediationResult | undefined;
  kube?: KubernetesIntegration;
  log: Logger;
}

export function registration(s: Pick<ReportSources, 'nodeId' | 'labels' | 'os'>): RegisterRequest {
  return { node_id: s.nodeId, hostname: hostname(), labels: s.labels, os: s.os, agent_version: AGENT_VERSION };
}

export async function buildReport(s: ReportSources): Promise<NodeReport> {
  const flow = s.flow();
  const status = await s.status();
  if (s.kube) publishToKubernetes(s.kube, flow.kind, status, s.conditions, s.log);
  return {
    node_id: s.nodeId,
    hostname: hostname(),
    labels: s.labels,
    os: s.os,
    deployments: (status?.deployments ?? []).map(toWireDeployment),
    flow_state: flow.kind,
    flow_target: summary(flow).target ?? '',
    flow_error: summary(flow).error ?? '',
    resolved_target: s.resolvedTarget?.() ?? '',
    conditions: s.conditions.all().map(toWireCondition),
    config_hash: s.configHash?.() ?? '',
    ...(s.remediation?.() ? { remediation: s.remediation() } : {}),
  };
}

function toWireDeployment(d: OsStatus['deployments'][number]): WireDeployment {
  return {
    id: d.id,
    osname: d.osname,
    checksum: d.checksum,
    version: d.version,
    origin: d.origin,
    booted: d.booted,
    staged: d.staged,
    pinned: d.pinned,
    index: d.index,
    timestamp_unix: d.timestamp,
  };
}
