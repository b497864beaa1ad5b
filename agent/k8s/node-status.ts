// Publishes the agent's view of its node into the Kubernetes API, so `kubectl get
// nodes -L hostpilot.io/flow-state` and `kubectl describe node` show it:
//  - labels (selectable) and annotations (free text) under hostpilot.io/;
//  - the agent's problem conditions as Node conditions, as node-problem-detector's
//    Kubernetes exporter does: a strategic merge patch on nodes/status keyed by
//    `type`, so kubelet's own conditions are untouched; lastTransitionTime moves only
//    when the status changes, lastHeartbeatTime on every report/heartbeat.
// No flapping on restart: a new publisher starts from what the Node already carries,
// keeps each condition's lastTransitionTime when its status is unchanged, and never
// resets conditions to a default on start-up.
import { CONDITION_STATUSES, type Condition } from '../../common/api/conditions.js';
import { unknownFlowState, type FlowStateName } from '../../common/api/flow-state.js';
import type { Logger } from '../../common/log.js';
import { InvalidArgumentError } from '../../common/errors.js';
import type { NodeApi, V1Node } from './api.js';

export const LABEL_PREFIX = 'hostpilot.io/';
export const LABELS = {
  rebootNeeded: 'hostpilot.io/reboot-needed',
  rebootInProgress: 'hostpilot.io/reboot-in-progress',
  flowState: 'hostpilot.io/flow-state',
  bootedVersion: 'hostpilot.io/booted-version',
} as const;
export const ANNOTATIONS = {
  bootedVersion: 'hostpilot.io/booted-version',
  flowState: 'hostpilot.io/flow-state',
  updatedAt: 'hostpilot.io/status-updated-at',
} as const;

export interface NodeStatus {
  /** The booted OS version, e.g. "39.20231101.3.0"; undefined when unknown. */
  bootedVersion?: string;
  /** The reboot flow's state (common/api/flow-state.ts). */
  flowState: FlowStateName;
}

/** The kured-style reboot labels a flow state shows as. */
export function rebootLabels(state: FlowStateName): { rebootNeeded: boolean; rebootInProgress: boolean } {
  switch (state) {
    case 'idle':
    case 'failed':
      return { rebootNeeded: false, rebootInProgress: false };
    case 'pending':
    case 'locking':
    case 'locked':
      return { rebootNeeded: true, rebootInProgress: false };
    case 'rebooting':
    case 'verifying':
    case 'rolling-back':
      return { rebootNeeded: true, rebootInProgress: true };
    default:
      return unknownFlowState(state);
  }
}

/** A condition as the Node API takes it (CamelCase type, e.g. "KernelDeadlock"); the API keeps the times. */
export type NodeConditionInput = Omit<Condition, 'lastTransitionTime'>;

/** Conditions kubelet owns; the agent never writes them. */
const KUBELET_CONDITIONS = new Set(['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure', 'NetworkUnavailable']);
const CONDITION_TYPE = /^[A-Z][A-Za-z0-9]{0,62}$/;
const REASON = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

export function validateCondition(c: NodeConditionInput, field = 'condition'): NodeConditionInput {
  if (!CONDITION_TYPE.test(c.type)) throw new InvalidArgumentError(`${field}.type`, `${JSON.stringify(c.type)} is not a CamelCase condition type`);
  if (KUBELET_CONDITIONS.has(c.type)) throw new InvalidArgumentError(`${field}.type`, `${c.type} is owned by kubelet`);
  if (!CONDITION_STATUSES.includes(c.status)) throw new InvalidArgumentError(`${field}.status`, `${JSON.stringify(c.status)} is not True, False or Unknown`);
  if (c.reason.length > 1024 || !REASON.test(c.reason)) throw new InvalidArgumentError(`${field}.reason`, `${JSON.stringify(c.reason.slice(0, 80))} is not a CamelCase reason`);
  return c;
}

/** The labels and annotations for a status (pure). A booted version that is not a valid label value goes only into the annotation. */
export function statusMetadata(s: NodeStatus): { labels: Record<string, string | null>; annotations: Record<string, string | null> } {
  const { rebootNeeded, rebootInProgress } = rebootLabels(s.flowState);
  const versionLabel = s.bootedVersion !== undefined && LABEL_VALUE.test(s.bootedVersion) && s.bootedVersion !== '' ? s.bootedVersion : null;
  return {
    labels: {
      [LABELS.rebootNeeded]: String(rebootNeeded),
      [LABELS.rebootInProgress]: String(rebootInProgress),
      [LABELS.flowState]: s.flowState,
      [LABELS.bootedVersion]: versionLabel,
    },
    annotations: {
      [ANNOTATIONS.bootedVersion]: s.bootedVersion ?? null,
      [ANNOTATIONS.flowState]: s.flowState,
    },
  };
}

/** Only the keys whose value differs from the node's (null = delete, only if present). */
function diff(current: Record<string, string> | undefined, wanted: Record<string, string | null>): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(wanted)) {
    const have = current?.[k];
    if (v === null ? have !== undefined : have !== v) out[k] = v;
  }
  return out;
}

interface PublishedCondition extends NodeConditionInput {
  lastTransitionTime: string;
  lastHeartbeatTime: string;
}

export class NodeStatusPublisher {
  private readonly heartbeatMs: number;
  /** What we last wrote (or found on the node at start-up), by type. */
  private known: Map<string, PublishedCondition> | undefined;
  private lastHeartbeat = 0;

  constructor(
    private readonly api: NodeApi,
    private readonly nodeName: string,
    private readonly deps: { now: () => number; logger: Logger; heartbeatMs?: number },
  ) {
    this.heartbeatMs = deps.heartbeatMs ?? 60_000;
  }

  /** Sets the hostpilot.io/ labels and annotations; patches only what differs. */
  async publishStatus(status: NodeStatus): Promise<{ changed: boolean }> {
    const wanted = statusMetadata(status);
    const node = await this.api.getNode(this.nodeName);
    const labels = diff(node.metadata?.labels, wanted.labels);
    const annotations = diff(node.metadata?.annotations, wanted.annotations);
    if (Object.keys(labels).length === 0 && Object.keys(annotations).length === 0) return { changed: false };
    annotations[ANNOTATIONS.updatedAt] = rfc3339(this.deps.now());
    await this.api.patchNode(this.nodeName, { metadata: { labels, annotations } });
    this.deps.logger.info('node status published', { node: this.nodeName, labels, annotations });
    return { changed: true };
  }

  /**
   * Reports the agent's conditions. A condition whose status, reason and message are
   * unchanged is re-sent only when a heartbeat is due; one whose status changed gets a
   * new lastTransitionTime. Conditions not given are left as they are.
   */
  async publishConditions(conditions: readonly NodeConditionInput[]): Promise<{ changed: boolean }> {
    conditions.forEach((c, i) => validateCondition(c, `conditions[${i}]`));
    const known = await this.load();
    const now = this.deps.now();
    const nowIso = rfc3339(now);
    const heartbeatDue = now - this.lastHeartbeat >= this.heartbeatMs;
    let changed = false;
    const next: PublishedCondition[] = [];
    for (const c of conditions) {
      const prev = known.get(c.type);
      const same = prev && prev.status === c.status && prev.reason === c.reason && prev.message === c.message;
      if (!same) changed = true;
      next.push({
        ...c,
        lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime : nowIso,
        lastHeartbeatTime: nowIso,
      });
    }
    if (!changed && !heartbeatDue) return { changed: false };
    await this.write(next, now);
    if (changed) this.deps.logger.info('node conditions published', { node: this.nodeName, conditions: next.map((c) => `${c.type}=${c.status}`) });
    return { changed };
  }

  /** Refreshes lastHeartbeatTime of every condition this agent reported; call on an interval. */
  async heartbeat(): Promise<void> {
    const known = await this.load();
    const ours = [...known.values()].filter((c) => this.ownTypes.has(c.type));
    if (ours.length === 0) return;
    const now = this.deps.now();
    const nowIso = rfc3339(now);
    await this.write(
      ours.map((c) => ({ ...c, lastHeartbeatTime: nowIso })),
      now,
    );
  }

  private readonly ownTypes = new Set<string>();

  private async write(conds: PublishedCondition[], now: number): Promise<void> {
    await this.api.patchNodeStatus(this.nodeName, { status: { conditions: conds } });
    for (const c of conds) {
      this.known!.set(c.type, c);
      this.ownTypes.add(c.type);
    }
    this.lastHeartbeat = now;
  }

  private async load(): Promise<Map<string, PublishedCondition>> {
    if (this.known) return this.known;
    const node: V1Node = await this.api.getNode(this.nodeName);
    const known = new Map<string, PublishedCondition>();
    for (const c of node.status?.conditions ?? []) {
      known.set(c.type, {
        type: c.type,
        status: c.status as Condition['status'],
        reason: c.reason ?? '',
        message: c.message ?? '',
        lastTransitionTime: toIso(c.lastTransitionTime),
        lastHeartbeatTime: toIso(c.lastHeartbeatTime),
      });
    }
    this.known = known;
    return known;
  }
}

/** metav1.Time: RFC 3339 at second precision, as the API server stores it. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function toIso(t: Date | string | undefined): string {
  if (t === undefined) return rfc3339(0);
  return rfc3339((t instanceof Date ? t : new Date(t)).getTime());
}
