// The fleet as the coordinator sees it: every node's last report, whether its
// Report stream is open, and the directives waiting for it. Reports arrive
// often (heartbeats); the store is written only when something a restart must
// remember changes, so a large fleet's heartbeats cost no disk writes. On
// SQLite (one coordinator) neither do the reboot flow's passing stages
// (locking, rebooting, ...): a node re-reports its stage on every reconnect,
// and each synchronous SQLite commit blocks the event loop that serves every
// other node (bench:fleet).
import { Gauge, type Registry } from 'prom-client';
import { decodeFlowState, unknownFlowState, type ReportedFlowState } from '../../common/api/flow-state.js';
import type { Logger } from '../../common/log.js';
import { validateLabels, validateNodeId } from '../../common/names.js';
import type { Directive } from '../../proto/generated/hostpilot/v1/Directive.js';
import type { NodeReport__Output } from '../../proto/generated/hostpilot/v1/NodeReport.js';
import type { RegisterRequest__Output } from '../../proto/generated/hostpilot/v1/RegisterRequest.js';
import type { Store } from '../store/store.js';
import { NODE_STATES, deriveNodeState, type DesiredTarget, type NodeRecord, type NodeState } from './node-record.js';

export interface NodeView extends NodeRecord {
  state: NodeState;
  connected: boolean;
}

export interface FleetOptions {
  nodeTimeoutMs: number;
  heartbeatIntervalMs: number;
}

type Send = (directive: Directive) => void;

interface Live {
  record: NodeRecord;
  send?: Send;
  /** Increments per stream, so a stale stream's close does not detach a newer one. */
  streamId: number;
}

/** `changed`: the report changed more than lastSeen (a heartbeat changes nothing). */
export type ReportListener = (node: NodeView, changed: boolean) => void;

export class FleetRegistry {
  private readonly nodes = new Map<string, Live>();
  private readonly listeners = new Set<ReportListener>();
  private readonly gauge: Gauge<'state'>;
  private streams = 0;
  /** When each node's lastSeen was last written (shared stores only). */
  private readonly seenWritten = new Map<string, number>();
  private syncTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    registry: Registry,
    private readonly log: Logger,
    readonly options: FleetOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.gauge = new Gauge({
      name: 'hostpilot_nodes',
      help: 'Nodes by derived state.',
      labelNames: ['state'],
      registers: [registry],
      collect: () => this.updateGauge(),
    });
    for (const state of NODE_STATES) this.gauge.set({ state }, 0);
  }

  async init(): Promise<void> {
    for (const { value } of await this.store.list<NodeRecord>('nodes/')) {
      this.nodes.set(value.nodeId, { record: value, streamId: 0 });
    }
  }

  async register(req: RegisterRequest__Output): Promise<NodeView> {
    const nodeId = validateNodeId(req.node_id);
    const labels = validateLabels(req.labels ?? {});
    const now = this.now();
    const live = this.nodes.get(nodeId);
    const record: NodeRecord = {
      ...(live?.record ?? emptyRecord(nodeId, now)),
      hostname: req.hostname,
      labels,
      os: req.os,
      lastSeen: now,
    };
    this.nodes.set(nodeId, { record, streamId: live?.streamId ?? 0, ...(live?.send ? { send: live.send } : {}) });
    await this.persistReport(record);
    return this.view(nodeId)!;
  }

  /** Attaches a Report stream; what it says next goes through `report`. Returns a detach function. */
  attach(nodeId: string, send: Send): () => void {
    validateNodeId(nodeId);
    const streamId = ++this.streams;
    const live = this.nodes.get(nodeId) ?? { record: emptyRecord(nodeId, this.now()), streamId };
    live.send = send;
    live.streamId = streamId;
    this.nodes.set(nodeId, live);
    send({ accepted: true });
    if (live.record.desired) send({ desired_target: { target: live.record.desired.target, rollout_id: live.record.desired.rolloutId } });
    return () => {
      const current = this.nodes.get(nodeId);
      // end, cancelled, error and close may all fire for one stream: detach (and log) once.
      if (current && current.streamId === streamId && current.send !== undefined) {
        delete current.send;
        this.log.info('node stream closed', { node: nodeId });
      }
    };
  }

  async report(report: NodeReport__Output): Promise<NodeView> {
    const nodeId = validateNodeId(report.node_id);
    const labels = validateLabels(report.labels ?? {});
    const live = this.nodes.get(nodeId) ?? { record: emptyRecord(nodeId, this.now()), streamId: 0 };
    const before = live.record;
    const record: NodeRecord = {
      ...before,
      hostname: report.hostname || before.hostname,
      labels,
      os: report.os ?? before.os,
      deployments: report.deployments,
      flowState: decodeFlowState(report.flow_state),
      flowTarget: report.flow_target,
      flowError: report.flow_error,
      conditions: report.conditions,
      lastSeen: this.now(),
    };
    if (report.resolved_target) record.resolvedTarget = report.resolved_target;
    else delete record.resolvedTarget;
    live.record = record;
    this.nodes.set(nodeId, live);
    const changed = significant(before, record, true);
    if (significant(before, record, this.store.kind !== 'sqlite') || this.lastSeenDue(record)) await this.persistReport(record);
    const view = this.view(nodeId)!;
    for (const listener of this.listeners) listener(view, changed);
    return view;
  }

  onReport(listener: ReportListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Records what a node should run and tells it now if its stream is open. */
  async setDesired(nodeId: string, desired: DesiredTarget | undefined): Promise<boolean> {
    const live = this.nodes.get(nodeId);
    if (!live) return false;
    if (sameDesired(live.record.desired, desired)) return live.send !== undefined;
    if (desired) desired = { ...desired, setAt: this.now() };
    const record = withDesired(live.record, desired);
    // Only the desired target is written: the replica that holds the node's stream writes its reports.
    await this.store.update<NodeRecord, void>(`nodes/${nodeId}`, (current) => ({ next: withDesired(current ?? record, desired), result: undefined }));
    // Written first, told second: the record (which a stream attaching meanwhile is told) takes it only now.
    live.record = withDesired(live.record, desired);
    live.send?.({ desired_target: { target: desired?.target ?? '', rollout_id: desired?.rolloutId ?? '' } });
    return live.send !== undefined;
  }

  view(nodeId: string): NodeView | undefined {
    const live = this.nodes.get(nodeId);
    if (!live) return undefined;
    const connected = live.send !== undefined;
    return { ...live.record, connected, state: deriveNodeState(live.record, { connected, now: this.now(), nodeTimeoutMs: this.options.nodeTimeoutMs }) };
  }

  list(): NodeView[] {
    return [...this.nodes.keys()].sort().map((id) => this.view(id)!);
  }

  /**
   * Every node's record and derived state, in no order and without copying
   * the records: for scans that run several times a second over the whole
   * fleet (the rollout tick). Callers must not change what they are given.
   */
  *scan(): IterableIterator<{ record: Readonly<NodeRecord>; state: NodeState; connected: boolean }> {
    const now = this.now();
    for (const live of this.nodes.values()) {
      const connected = live.send !== undefined;
      yield { record: live.record, connected, state: deriveNodeState(live.record, { connected, now, nodeTimeoutMs: this.options.nodeTimeoutMs }) };
    }
  }

  private updateGauge(): void {
    const counts = new Map<NodeState, number>(NODE_STATES.map((s) => [s, 0]));
    for (const id of this.nodes.keys()) {
      const state = this.view(id)!.state;
      counts.set(state, counts.get(state)! + 1);
    }
    for (const [state, n] of counts) this.gauge.set({ state }, n);
  }

  /**
   * Nodes connected to other replicas (etcd), and desired targets the leader
   * wrote for nodes connected here: read from the store and merged. The
   * records of nodes streaming to this replica stay this replica's.
   */
  async syncFromStore(): Promise<void> {
    if (this.store.kind === 'sqlite') return;
    for (const { value } of await this.store.list<NodeRecord>('nodes/')) {
      const live = this.nodes.get(value.nodeId);
      if (!live) {
        this.nodes.set(value.nodeId, { record: value, streamId: 0 });
      } else if (!live.send) {
        // The other replica's report wins, but not over a desired target this replica set after the snapshot.
        const mine = live.record.desired;
        const desired = mine && (mine.setAt ?? 0) > (value.desired?.setAt ?? 0) ? mine : value.desired;
        live.record = withDesired({ ...value, lastSeen: Math.max(value.lastSeen, live.record.lastSeen) }, desired);
      } else if (value.desired && !sameDesired(live.record.desired, value.desired) && (value.desired.setAt ?? 0) > (live.record.desired?.setAt ?? 0)) {
        // Only a newer target: a snapshot read before this replica's own setDesired committed must not undo it.
        live.record = withDesired(live.record, value.desired);
        live.send({ desired_target: { target: value.desired?.target ?? '', rollout_id: value.desired?.rolloutId ?? '' } });
      }
    }
  }

  /** On a shared store, keeps this replica's view of the other replicas' nodes current. */
  startSync(intervalMs: number): void {
    if (this.store.kind === 'sqlite') return;
    this.syncTimer = setInterval(() => void this.syncFromStore().catch((err: unknown) => this.log.warn('cannot read nodes from the store', { err })), intervalMs);
  }

  stopSync(): void {
    clearInterval(this.syncTimer);
  }

  // A report's record, keeping the desired target the store has (the leader may have set it).
  private async persistReport(record: NodeRecord): Promise<void> {
    this.seenWritten.set(record.nodeId, record.lastSeen);
    // Background: a report's write may wait behind lock writes (group commit on SQLite).
    await this.store.update<NodeRecord, void>(`nodes/${record.nodeId}`, (current) => ({ next: withDesired(record, current ? current.desired : record.desired), result: undefined }), { priority: 'background' });
  }

  // Replicas judge each other's nodes by lastSeen: on a shared store it is written a few times per node timeout.
  private lastSeenDue(record: NodeRecord): boolean {
    if (this.store.kind === 'sqlite') return false;
    return record.lastSeen - (this.seenWritten.get(record.nodeId) ?? 0) > this.options.nodeTimeoutMs / 3;
  }
}

function emptyRecord(nodeId: string, now: number): NodeRecord {
  return {
    nodeId,
    hostname: '',
    labels: {},
    os: null,
    deployments: [],
    flowState: '',
    flowTarget: '',
    flowError: '',
    conditions: [],
    lastSeen: now,
    registeredAt: now,
  };
}

function withDesired(record: NodeRecord, desired: DesiredTarget | undefined): NodeRecord {
  const { desired: _old, ...rest } = record;
  return desired ? { ...rest, desired } : rest;
}

function sameDesired(a: DesiredTarget | undefined, b: DesiredTarget | undefined): boolean {
  return a?.target === b?.target && a?.rolloutId === b?.rolloutId;
}

/** The flow states a node rests in; the others last seconds to minutes. */
function resting(state: ReportedFlowState): boolean {
  switch (state) {
    case '':
    case 'idle':
    case 'failed':
      return true;
    case 'pending':
    case 'locking':
    case 'locked':
    case 'rebooting':
    case 'verifying':
    case 'rolling-back':
      return false;
    default:
      return unknownFlowState(state);
  }
}

// What a restarted coordinator must know; lastSeen alone is not worth a write,
// and a flow stage only when the node comes to rest in it (idle or failed).
// Safety does not rest on the stored stage: a node mid-reboot holds a lock
// slot or is "updating" in a rollout, both written through the store. On a
// shared store (`everyStage`) other replicas see the node only through its
// record, so every stage is written there.
export function significant(a: NodeRecord, b: NodeRecord, everyStage = false): boolean {
  const strip = ({ lastSeen: _l, flowState: _s, flowTarget: _t, ...rest }: NodeRecord) => rest;
  if ((everyStage || resting(b.flowState)) && (a.flowState !== b.flowState || a.flowTarget !== b.flowTarget)) return true;
  return JSON.stringify(strip(a)) !== JSON.stringify(strip(b));
}
