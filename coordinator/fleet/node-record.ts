// What the coordinator keeps about a node: its last report (as the wire
// carries it), when it was last seen, and what it has been asked to run.
import { unknownFlowState, type ReportedFlowState } from '../../common/api/flow-state.js';
import type { Condition__Output } from '../../proto/generated/hostpilot/v1/Condition.js';
import type { Deployment__Output } from '../../proto/generated/hostpilot/v1/Deployment.js';
import type { OsFacts__Output } from '../../proto/generated/hostpilot/v1/OsFacts.js';

export interface DesiredTarget {
  target: string;
  rolloutId: string;
  /** Unix ms when it was set: replicas take a target from the store only if it is newer than theirs. */
  setAt?: number;
}

export interface NodeRecord {
  nodeId: string;
  hostname: string;
  labels: Record<string, string>;
  os: OsFacts__Output | null;
  deployments: Deployment__Output[];
  flowState: ReportedFlowState;
  flowTarget: string;
  flowError: string;
  /** An image tag as the node resolved it (`IMAGE:TAG@sha256:…`); rollouts pin tags with it. */
  resolvedTarget?: string;
  conditions: Condition__Output[];
  /** Unix ms of the last register or report. */
  lastSeen: number;
  registeredAt: number;
  desired?: DesiredTarget;
}

export type NodeState = 'ready' | 'updating' | 'rebooting' | 'degraded' | 'unreachable';
export const NODE_STATES: readonly NodeState[] = ['ready', 'updating', 'rebooting', 'degraded', 'unreachable'];

export interface NodeLiveness {
  connected: boolean;
  now: number;
  nodeTimeoutMs: number;
}

export function deriveNodeState(node: NodeRecord, live: NodeLiveness): NodeState {
  const silentFor = live.now - node.lastSeen;
  if (!live.connected && silentFor > live.nodeTimeoutMs) return 'unreachable';
  const flow = flowNodeState(node.flowState);
  if (flow === 'rebooting' || flow === 'degraded') return flow;
  if (node.conditions.some((c) => c.status)) return 'degraded';
  return flow;
}

/** The node state a reboot-flow state alone implies (active conditions can make a node degraded too). */
export function flowNodeState(state: ReportedFlowState): 'ready' | 'updating' | 'rebooting' | 'degraded' {
  switch (state) {
    case '':
    case 'idle':
      return 'ready';
    case 'pending':
    case 'locking':
    case 'locked':
    case 'verifying':
      return 'updating';
    case 'rebooting':
    case 'rolling-back':
      return 'rebooting';
    case 'failed':
      return 'degraded';
    default:
      return unknownFlowState(state);
  }
}
