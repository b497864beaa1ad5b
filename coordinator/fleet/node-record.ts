// What the coordinator keeps about a node: its last report (as the wire
// carries it), when it was last seen, and what it has been asked to run.
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
  flowState: string;
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

// The agent's reboot-flow states (agent/reboot/flow.ts) as the fleet sees them.
const REBOOTING = new Set(['rebooting', 'rolling-back']);
const DEGRADED = new Set(['failed']);
const IDLE = new Set(['', 'idle']);

export interface NodeLiveness {
  connected: boolean;
  now: number;
  nodeTimeoutMs: number;
}

export function deriveNodeState(node: NodeRecord, live: NodeLiveness): NodeState {
  const silentFor = live.now - node.lastSeen;
  if (!live.connected && silentFor > live.nodeTimeoutMs) return 'unreachable';
  if (REBOOTING.has(node.flowState)) return 'rebooting';
  if (DEGRADED.has(node.flowState) || node.conditions.some((c) => c.status)) return 'degraded';
  if (!IDLE.has(node.flowState)) return 'updating';
  return 'ready';
}

/** The booted deployment's version (or checksum), as reported. */
export function bootedVersion(node: NodeRecord): string {
  const booted = node.deployments.find((d) => d.booted);
  return booted ? booted.version || booted.checksum.slice(0, 12) : '';
}
