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
  conditions: Condition__Output[];
  /** Unix ms of the last register or report. */
  lastSeen: number;
  registeredAt: number;
  desired?: DesiredTarget;
  /** Unix ms the desired target was last cleared: a replica holding the node's stream tells its agent. */
  desiredClearedAt?: number;
  /** Held out of rollouts by an operator. */
  excluded?: { reason: string; since: number };
  /** Unix ms an operator reset the node; told to the agent until it reports it left its failed state. */
  resetAt?: number;
}

/** What operators and the rollout leader set on a record, as opposed to what the node reports. */
export type AdminFields = Pick<NodeRecord, 'desired' | 'desiredClearedAt' | 'excluded' | 'resetAt'>;

/** `record` with the admin fields of `from` (the store's copy: another replica or the leader may have set them). */
export function withAdminFields(record: NodeRecord, from: AdminFields | undefined): NodeRecord {
  const { desired: _d, desiredClearedAt: _c, excluded: _e, resetAt: _r, ...rest } = record;
  return {
    ...rest,
    ...(from?.desired ? { desired: from.desired } : {}),
    ...(from?.desiredClearedAt !== undefined ? { desiredClearedAt: from.desiredClearedAt } : {}),
    ...(from?.excluded ? { excluded: from.excluded } : {}), ...(from?.resetAt !== undefined ? { resetAt: from.resetAt } : {}),
  };
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
