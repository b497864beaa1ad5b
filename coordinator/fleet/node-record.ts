// What the coordinator keeps about a node: its last report (as the wire
// carries it), when it was last seen, and what it has been asked to run.
import { unknownFlowState, type ReportedFlowState } from '../../common/api/flow-state.js';
import type { Condition__Output } from '../../proto/generated/hostpilot/v1/Condition.js';
import type { Deployment__Output } from '../../proto/generated/hostpilot/v1/Deployment.js';
import type { OsFacts__Output } from '../../proto/generated/hostpilot/v1/OsFacts.js';
import { StoreValueError } from '../store/store.js';

export interface DesiredTarget {
  target: string;
  rolloutId: string;
  /** Unix ms when it was set: replicas take a target from the store only if it is newer than theirs. */
  setAt?: number;
}

/** The rendered NodeConfig a node is told to converge to (coordinator/configs). */
export interface DesiredConfigRef {
  /** `sha256:<hex>`; empty: no NodeConfig selects the node. */
  hash: string;
  /** none | restart-units | reboot, from the config it had applied. */
  disruption: string;
  /** The rollout that sent it; empty: given at registration (a new node takes its pool's config at once). */
  rolloutId: string;
  /** Unix ms when it was set: replicas take one from the store only if it is newer than theirs. */
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
  /** The rendered config hash the node reports applied; absent: none. */
  configHash?: string;
  desiredConfig?: DesiredConfigRef;
  /** Unix ms the desired target was last cleared: a replica holding the node's stream tells its agent. */
  desiredClearedAt?: number;
  /** Held out of rollouts by an operator. */
  excluded?: { reason: string; since: number };
  /** Unix ms an operator reset the node; told to the agent until it reports it left its failed state. */
  resetAt?: number;
  /** What the agent did with its last remediation order (NodeReport.remediation). */
  remediation?: ReportedRemediation;
}

export interface ReportedRemediation {
  id: string;
  action: string;
  /** running | succeeded | failed */
  state: string;
  message: string;
  finishedAt: number;
}

/** What operators and the rollout leader set on a record, as opposed to what the node reports. */
export type AdminFields = Pick<NodeRecord, 'desired' | 'desiredClearedAt' | 'excluded' | 'resetAt' | 'desiredConfig'>;

/** `record` with the admin fields of `from` (the store's copy: another replica or the leader may have set them). */
export function withAdminFields(record: NodeRecord, from: AdminFields | undefined): NodeRecord {
  const { desired: _d, desiredClearedAt: _c, excluded: _e, resetAt: _r, desiredConfig: _dc, ...rest } = record;
  return {
    ...rest,
    ...(from?.desiredConfig ? { desiredConfig: from.desiredConfig } : {}),
    ...(from?.desired ? { desired: from.desired } : {}),
    ...(from?.desiredClearedAt !== undefined ? { desiredClearedAt: from.desiredClearedAt } : {}),
    ...(from?.excluded ? { excluded: from.excluded } : {}), ...(from?.resetAt !== undefined ? { resetAt: from.resetAt } : {}),
  };
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

/**
 * Checks a stored node record's shape where the coordinator relies on it: a
 * value that is not one is a StoreValueError naming the key, not a node with
 * missing parts that fails somewhere later.
 */
export function checkNodeRecord(value: unknown, key: string): NodeRecord {
  const bad = (why: string) => new StoreValueError(key, why);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('is not a node record');
  const r = value as Record<string, unknown>;
  if (typeof r.nodeId !== 'string' || `nodes/${r.nodeId}` !== key) throw bad('nodeId does not match the key');
  for (const name of ['hostname', 'flowState', 'flowTarget', 'flowError'] as const) if (typeof r[name] !== 'string') throw bad(`${name} is not a string`);
  for (const name of ['lastSeen', 'registeredAt'] as const) if (typeof r[name] !== 'number') throw bad(`${name} is not a number`);
  if (typeof r.labels !== 'object' || r.labels === null || Array.isArray(r.labels) || Object.values(r.labels).some((v) => typeof v !== 'string')) {
    throw bad('labels is not a map of strings');
  }
  for (const name of ['deployments', 'conditions'] as const) if (!Array.isArray(r[name]) || (r[name] as unknown[]).some((x) => typeof x !== 'object' || x === null)) throw bad(`${name} is not a list of objects`);
  if (r.os !== null && (typeof r.os !== 'object' || Array.isArray(r.os))) throw bad('os is not an object');
  if (r.desired !== undefined) {
    const d = r.desired as Record<string, unknown> | null;
    if (typeof d !== 'object' || d === null || typeof d.target !== 'string' || typeof d.rolloutId !== 'string') throw bad('desired is not {target, rolloutId}');
  }
  if (r.desiredConfig !== undefined) {
    const d = r.desiredConfig as Record<string, unknown> | null;
    if (typeof d !== 'object' || d === null || typeof d.hash !== 'string' || typeof d.disruption !== 'string' || typeof d.rolloutId !== 'string') throw bad('desiredConfig is not {hash, disruption, rolloutId}');
  }
  if (r.configHash !== undefined && typeof r.configHash !== 'string') throw bad('configHash is not a string');
  return value as NodeRecord;
}
