// The fleet as the coordinator sees it: every node's last report, whether its
// Report stream is open, and the directives waiting for it. Reports arrive
// often (heartbeats); the store is written only when something a restart must
// remember changes, so a large fleet's heartbeats cost no disk writes. On
// SQLite (one coordinator) neither do the reboot flow's passing stages
// (locking, rebooting, ...): a node re-reports its stage on every reconnect,
// and each synchronous SQLite commit blocks the event loop that serves every
// other node (bench:fleet).
import { Counter, Gauge, type Registry } from 'prom-client';
import { decodeFlowState, unknownFlowState, type ReportedFlowState } from '../../common/api/flow-state.js';
import { FailedPreconditionError, NotFoundError } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import { validateLabels, validateNodeId } from '../../common/names.js';
import type { Directive } from '../../proto/generated/hostpilot/v1/Directive.js';
import type { NodeReport__Output } from '../../proto/generated/hostpilot/v1/NodeReport.js';
import type { RegisterRequest__Output } from '../../proto/generated/hostpilot/v1/RegisterRequest.js';
import type { FollowSink, Following } from '../store/follow.js';
import type { Store, StoreEntry } from '../store/store.js';
import { checkRegisterLimits, checkReportLimits } from './limits.js';
import { NODE_STATES, checkNodeRecord, deriveNodeState, withAdminFields, type DesiredConfigRef, type DesiredTarget, type NodeRecord, type NodeState } from './node-record.js';

export interface NodeView extends NodeRecord {
  state: NodeState;
  connected: boolean;
}

/** A store whose prefix can be followed as it changes (the etcd store). */
export interface FollowableStore {
  follow(prefix: string, sink: FollowSink, log: Logger): Promise<Following>;
}

export interface FleetOptions {
  nodeTimeoutMs: number;
  heartbeatIntervalMs: number;
}

type Send = (directive: Directive) => void;

interface Live {
  record: NodeRecord;
  send?: Send;
  /** Closes the node's Report stream (a forced remove). */
  end?: () => void;
  /** Increments per stream, so a stale stream's close does not detach a newer one. */
  streamId: number;
  /** The record as the node's last report left it: while `record` is still this object, a repeat of that report changes only lastSeen. */
  reported?: NodeRecord;
}

/**
 * `changed`: the report changed more than lastSeen (a heartbeat changes nothing).
 * Told the node's id only: most listeners only want changed reports, and a
 * view built for each of 1,000 heartbeats a second was garbage.
 */
export type ReportListener = (nodeId: string, changed: boolean) => void;

/** The DesiredConfig directive for a reference (its rendered JSON comes from coordinator/configs); undefined: not known here. */
export type ConfigDirectives = (ref: DesiredConfigRef) => Promise<Directive | undefined>;

/** Called once for a node the coordinator has never seen (its first register or report). */
export type NewNodeListener = (node: NodeView) => Promise<void>;

/** Operator actions on a node record (hostpilotctl nodes reset|remove|exclude|include). */
export type NodeOperation = 'reset' | 'remove' | 'exclude' | 'include';
const NODE_OPERATIONS: readonly NodeOperation[] = ['reset', 'remove', 'exclude', 'include'];

/** Called after a node's record or connection changed, or it was removed. */
export type ChangeListener = (nodeId: string) => void;

/**
 * The node map: every set and delete tells the change listeners (in-place
 * changes call `changed`). The ids in order are kept until one is added or
 * removed: ListNodes pages through 50,000 nodes a page at a time and must not
 * sort them all for every page.
 */
class NodeMap extends Map<string, Live> {
  private sorted: string[] | undefined;

  constructor(private readonly changed: ChangeListener) {
    super();
  }
  override set(id: string, live: Live): this {
    if (this.sorted && !this.has(id)) this.sorted = undefined;
    super.set(id, live);
    this.changed(id);
    return this;
  }
  override delete(id: string): boolean {
    const had = super.delete(id);
    if (had) this.sorted = undefined;
    this.changed(id);
    return had;
  }
  sortedIds(): readonly string[] {
    this.sorted ??= [...this.keys()].sort();
    return this.sorted;
  }
}

export class FleetRegistry {
  private readonly changeListeners = new Set<ChangeListener>();
  private readonly nodes = new NodeMap((id) => this.changed(id));
  private readonly listeners = new Set<ReportListener>();
  private readonly gauge: Gauge<'state'>;
  private readonly operations: Counter<'operation'>;
  private streams = 0;
  /** When each node's lastSeen was last written (shared stores only). */
  private readonly seenWritten = new Map<string, number>();
  private following: Following | undefined;
  private configDirectives: ConfigDirectives | undefined;
  private newNode: NewNodeListener | undefined;

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
    this.operations = new Counter({ name: 'hostpilot_node_operations_total', help: 'Operator actions on node records, by operation.', labelNames: ['operation'], registers: [registry] });
    for (const operation of NODE_OPERATIONS) this.operations.inc({ operation }, 0);
  }

  /**
   * Loads the stored records. On a shared store (etcd, `shared`) the registry
   * then follows it: other replicas' reports and operators' marks arrive
   * through a watch, as they commit, instead of a listing of every node.
   */
  async init(shared?: FollowableStore): Promise<void> {
    if (shared) {
      this.following = await shared.follow('nodes/', { reset: (entries) => this.mergeAll(entries), change: (key, value) => this.mergeChange(key, value) }, this.log);
      return;
    }
    for (const { key, value } of await this.store.list<unknown>('nodes/')) {
      const record = checkNodeRecord(value, key);
      this.nodes.set(record.nodeId, { record, streamId: 0 });
    }
  }

  async register(req: RegisterRequest__Output): Promise<NodeView> {
    const nodeId = validateNodeId(req.node_id);
    const labels = validateLabels(req.labels ?? {});
    checkRegisterLimits(req);
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
    if (!live) await this.welcome(nodeId);
    return this.view(nodeId)!;
  }

  /** Tells the new-node listener; its failure is logged, never the node's registration's. */
  private async welcome(nodeId: string): Promise<void> {
    await this.newNode?.(this.view(nodeId)!).catch((err: unknown) => this.log.warn('cannot give a new node its pool\'s config', { node: nodeId, err }));
  }

  /** Where DesiredConfig directives come from (coordinator/configs), and who hears of new nodes. */
  useConfigs(directives: ConfigDirectives, onNewNode: NewNodeListener): void {
    this.configDirectives = directives;
    this.newNode = onNewNode;
  }

  /** Attaches a Report stream; what it says next goes through `report`. Returns a detach function. */
  attach(nodeId: string, send: Send, end?: () => void): () => void {
    validateNodeId(nodeId);
    const streamId = ++this.streams;
    const live = this.nodes.get(nodeId) ?? { record: emptyRecord(nodeId, this.now()), streamId };
    live.send = send;
    live.streamId = streamId;
    if (end) live.end = end;
    else delete live.end;
    this.nodes.set(nodeId, live);
    send({ accepted: true });
    // Always said, even when empty: an agent that kept a target across its own restart drops it
    // when the rollout that set it has ended.
    send({ desired_target: { target: live.record.desired?.target ?? '', rollout_id: live.record.desired?.rolloutId ?? '' } });
    if (live.record.resetAt !== undefined) send({ reset: true });
    this.tellConfig(live);
    return () => {
      const current = this.nodes.get(nodeId);
      // end, cancelled, error and close may all fire for one stream: detach (and log) once.
      if (current && current.streamId === streamId && current.send !== undefined) {
        delete current.send;
        delete current.end;
        this.changed(nodeId);
        this.log.info('node stream closed', { node: nodeId });
      }
    };
  }

  async report(report: NodeReport__Output): Promise<NodeView> {
    const nodeId = validateNodeId(report.node_id);
    const labels = validateLabels(report.labels ?? {});
    checkReportLimits(report);
    const known = this.nodes.get(nodeId);
    const live = known ?? { record: emptyRecord(nodeId, this.now()), streamId: 0 };
    const before = live.record;
    const r = report.remediation;
    // The optional fields the report owns are left out, not deleted: `delete` turns a V8 object into a slow dictionary.
    const { resolvedTarget: _target, configHash: _hash, remediation: _remediation, ...kept } = before;
    const record: NodeRecord = {
      ...kept,
      hostname: report.hostname || before.hostname,
      labels,
      os: report.os ?? before.os,
      deployments: report.deployments,
      flowState: decodeFlowState(report.flow_state),
      flowTarget: report.flow_target,
      flowError: report.flow_error,
      conditions: report.conditions,
      lastSeen: this.now(),
      ...(report.resolved_target ? { resolvedTarget: report.resolved_target } : {}),
      ...(report.config_hash ? { configHash: report.config_hash } : {}),
      ...(r?.id ? { remediation: { id: r.id, action: r.action, state: r.state, message: r.message, finishedAt: Number(r.finished_unix_ms) } } : {}),
    };
    live.record = record;
    live.reported = record;
    this.nodes.set(nodeId, live);
    const change = reportChange(before, record);
    if (worthWriting(change, record, this.store.kind !== 'sqlite') || this.lastSeenDue(record)) await this.persistReport(record);
    // A reset is told to the agent until it reports it has left its failed state.
    if (record.resetAt !== undefined && report.flow_state !== 'failed') {
      const stored = await this.updateRecord(nodeId, (r) => (r.resetAt === record.resetAt ? { ...r, resetAt: undefined } : r));
      live.record = withAdminFields(live.record, stored);
      this.changed(nodeId);
    }
    if (!known) await this.welcome(nodeId);
    this.tellReport(nodeId, change !== 'none');
    return this.view(nodeId)!;
  }

  /**
   * A report byte for byte the same as the node's last one on its stream (a
   * heartbeat): only lastSeen moves, without decoding or comparing it.
   * Returns false when the record changed since that report (an operator's
   * reset, another replica, a new registration): the caller applies the
   * report in full. Returns a promise only when lastSeen is due in a shared
   * store; on SQLite a heartbeat is taken without a write or an await.
   */
  repeatReport(nodeId: string): boolean | Promise<void> {
    const live = this.nodes.get(nodeId);
    if (!live || live.reported === undefined || live.record !== live.reported || live.record.resetAt !== undefined) return false;
    // In place, not a copy: lastSeen counts only for a node that is not connected (deriveNodeState), and this one
    // just spoke on its stream, so nothing that holds this record sees a different state. No change listener is told.
    (live.record as { lastSeen: number }).lastSeen = this.now();
    this.tellReport(nodeId, false);
    return this.lastSeenDue(live.record) ? this.persistReport(live.record) : true;
  }

  private tellReport(nodeId: string, changed: boolean): void {
    for (const listener of this.listeners) listener(nodeId, changed);
  }

  /** Listens to every change of a node's record or connection (indexes over the fleet keep up with it). */
  onChange(listener: ChangeListener): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  private changed(nodeId: string): void {
    for (const listener of this.changeListeners) listener(nodeId);
  }

  /** One node's record and derived state, without copying the record (callers must not change it). */
  peek(nodeId: string): { record: Readonly<NodeRecord>; state: NodeState; connected: boolean } | undefined {
    const live = this.nodes.get(nodeId);
    if (!live) return undefined;
    const connected = live.send !== undefined;
    return { record: live.record, connected, state: deriveNodeState(live.record, { connected, now: this.now(), nodeTimeoutMs: this.options.nodeTimeoutMs }) };
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
    const now = this.now();
    if (desired) desired = { ...desired, setAt: now };
    const record = withDesired(live.record, desired, now);
    // Only the desired target is written: the replica that holds the node's stream writes its reports.
    await this.store.update<NodeRecord, void>(`nodes/${nodeId}`, (current) => ({ next: withDesired(current ?? record, desired, now), result: undefined }));
    // On etcd the watch may have brought this very write back during the await, and told the node: tell it once.
    if (sameDesired(live.record.desired, desired) && live.record.desired?.setAt === desired?.setAt) return live.send !== undefined;
    // Written first, told second: the record (which a stream attaching meanwhile is told) takes it only now.
    live.record = withDesired(live.record, desired, now);
    this.tellDesired(live);
    return live.send !== undefined;
  }

  /** Records the rendered config a node should converge to and tells it now if its stream is open. */
  async setDesiredConfig(nodeId: string, desired: DesiredConfigRef): Promise<boolean> {
    const live = this.nodes.get(nodeId);
    if (!live) return false;
    const had = live.record.desiredConfig;
    if (had?.hash === desired.hash && had.rolloutId === desired.rolloutId) return live.send !== undefined;
    const ref = { ...desired, setAt: this.now() };
    await this.store.update<NodeRecord, void>(`nodes/${nodeId}`, (current) => ({ next: { ...(current ?? live.record), desiredConfig: ref }, result: undefined }));
    // The watch may have brought this write back already (and told the node).
    if (live.record.desiredConfig?.hash === ref.hash && live.record.desiredConfig.setAt === ref.setAt) return live.send !== undefined;
    live.record = { ...live.record, desiredConfig: ref };
    this.tellConfig(live);
    return live.send !== undefined;
  }

  /** Sends a directive on the node's stream if it is open (a remediation order); false: not connected here. */
  send(nodeId: string, directive: Directive): boolean {
    const live = this.nodes.get(nodeId);
    live?.send?.(directive);
    return live?.send !== undefined;
  }

  /**
   * Clears a node's desired target if `rolloutId` set it (that rollout has ended). Checked
   * against the store's copy too: a target set since by another rollout stays.
   */
  async clearDesiredOf(nodeId: string, rolloutId: string): Promise<boolean> {
    const live = this.nodes.get(nodeId);
    if (!live || live.record.desired?.rolloutId !== rolloutId) return false;
    const now = this.now();
    const cleared = await this.store.update<NodeRecord, boolean>(`nodes/${nodeId}`, (current) =>
      current && current.desired?.rolloutId === rolloutId ? { next: withDesired(current, undefined, now), result: true } : { result: current === undefined },
    );
    if (!cleared) return false;
    // The watch may have brought the cleared record back already (and told the node).
    if (live.record.desired === undefined) return true;
    live.record = withDesired(live.record, undefined, now);
    this.tellDesired(live);
    return true;
  }

  /**
   * After a person repaired a node: forget its desired target (a failed or ended rollout's)
   * and tell its agent to leave its failed state, now or when it connects.
   */
  async reset(nodeId: string): Promise<NodeView> {
    const live = this.known(nodeId);
    const resetAt = this.now();
    const next = await this.updateRecord(nodeId, (r) => ({ ...withDesired(r, undefined, resetAt), resetAt }));
    live.record = withAdminFields(live.record, next);
    this.changed(nodeId);
    this.tellDesired(live);
    live.send?.({ reset: true });
    this.operated('reset', nodeId, { connected: live.send !== undefined });
    return this.view(nodeId)!;
  }

  /** Holds a node out of rollouts (and of budget counting unless it is down). */
  async exclude(nodeId: string, reason: string): Promise<NodeView> {
    const live = this.known(nodeId);
    const next = await this.updateRecord(nodeId, (r) => ({ ...r, excluded: { reason, since: r.excluded?.since ?? this.now() } }));
    live.record = withAdminFields(live.record, next);
    this.changed(nodeId);
    this.operated('exclude', nodeId, { reason });
    return this.view(nodeId)!;
  }

  async include(nodeId: string): Promise<NodeView> {
    const live = this.known(nodeId);
    const next = await this.updateRecord(nodeId, (r) => ({ ...r, excluded: undefined }));
    live.record = withAdminFields(live.record, next);
    this.changed(nodeId);
    this.operated('include', nodeId, {});
    return this.view(nodeId)!;
  }

  /** Forgets a node. Refused while its agent is connected unless `force` (then its stream is closed). */
  async remove(nodeId: string, force: boolean): Promise<{ wasConnected: boolean }> {
    const live = this.known(nodeId);
    const wasConnected = live.send !== undefined;
    if (wasConnected && !force) throw new FailedPreconditionError(`node ${nodeId} is connected: stop its agent first, or remove it with --force (it registers again if its agent keeps running)`);
    await this.store.delete(`nodes/${nodeId}`);
    this.nodes.delete(nodeId);
    this.seenWritten.delete(nodeId);
    live.end?.();
    this.operated('remove', nodeId, { wasConnected });
    return { wasConnected };
  }

  private known(nodeId: string): Live {
    const live = this.nodes.get(validateNodeId(nodeId));
    if (!live) throw new NotFoundError(`no node ${JSON.stringify(nodeId)}`);
    return live;
  }

  private operated(operation: NodeOperation, nodeId: string, details: Record<string, unknown>): void {
    this.operations.inc({ operation });
    this.log.info(`node ${operation}`, { node: nodeId, ...details });
  }

  /** An atomic change of the stored record (the admin fields); undefined fields are dropped. */
  private async updateRecord(nodeId: string, change: (r: NodeRecord) => NodeRecord & { resetAt?: number | undefined; excluded?: NodeRecord['excluded'] | undefined }): Promise<NodeRecord> {
    const fallback = this.nodes.get(nodeId)?.record ?? emptyRecord(nodeId, this.now());
    return this.store.update<NodeRecord, NodeRecord>(`nodes/${nodeId}`, (current) => {
      const next = JSON.parse(JSON.stringify(change(current ?? fallback))) as NodeRecord;
      return { next, result: next };
    });
  }

  private tellConfig(live: Live): void {
    const ref = live.record.desiredConfig;
    const send = live.send;
    if (!ref || !send || !this.configDirectives) return;
    void this.configDirectives(ref).then(
      // Still the node's desired config and stream when its text is at hand: an older one is not sent after a newer.
      (d) => d && live.record.desiredConfig === ref && live.send === send && send(d),
      (err: unknown) => this.log.warn('cannot send the node its desired config', { node: live.record.nodeId, hash: ref.hash, err }),
    );
  }

  private tellDesired(live: Live): void {
    live.send?.({ desired_target: { target: live.record.desired?.target ?? '', rollout_id: live.record.desired?.rolloutId ?? '' } });
  }

  view(nodeId: string): NodeView | undefined {
    const live = this.nodes.get(nodeId);
    if (!live) return undefined;
    const connected = live.send !== undefined;
    return { ...live.record, connected, state: deriveNodeState(live.record, { connected, now: this.now(), nodeTimeoutMs: this.options.nodeTimeoutMs }) };
  }

  list(): NodeView[] {
    return this.nodes.sortedIds().map((id) => this.view(id)!);
  }

  /** The nodes after `after` in id order, lazily (a page of ListNodes takes as many as fit). */
  *listAfter(after: string | undefined): IterableIterator<NodeView> {
    const ids = this.nodes.sortedIds();
    let lo = 0;
    if (after !== undefined) {
      // Binary search for the first id greater than `after`.
      let hi = ids.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (ids[mid]! <= after) lo = mid + 1;
        else hi = mid;
      }
    }
    for (let i = lo; i < ids.length; i++) {
      const view = this.view(ids[i]!);
      if (view) yield view;
    }
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
   * A moment's view of the other replicas' writes: resolves once every node
   * record committed before the call has reached this registry (the watch's
   * barrier). A registry that does not follow the store (SQLite) is the only
   * writer and always current. When the barrier cannot be had (etcd busy or
   * out of space), the watched view stands: it lags by the watch's delay only.
   */
  async syncFromStore(): Promise<void> {
    await this.following?.caughtUp().catch((err: unknown) => this.log.warn('cannot catch up with the store; using the watched view', { err }));
  }

  /** Stops following the store. */
  async close(): Promise<void> {
    await this.following?.close();
    this.following = undefined;
  }

  /** A listing of every stored record (at start, after a compaction): merged, and nodes gone from it forgotten. */
  private mergeAll(entries: StoreEntry<unknown>[]): void {
    const stored = new Set<string>();
    for (const { key, value } of entries) {
      const record = this.checked(key, value);
      if (!record) continue;
      stored.add(record.nodeId);
      this.merge(record);
    }
    // Removed on another replica (nodes connected here stay: they report again at once).
    for (const [id, live] of this.nodes) if (!live.send && !stored.has(id)) this.nodes.delete(id);
  }

  /** One record written (or deleted: undefined) by any replica, this one included. */
  private mergeChange(key: string, value: unknown): void {
    if (value === undefined) {
      const id = key.slice('nodes/'.length);
      if (!this.nodes.get(id)?.send) this.nodes.delete(id);
      return;
    }
    const record = this.checked(key, value);
    if (record) this.merge(record);
  }

  private checked(key: string, value: unknown): NodeRecord | undefined {
    try {
      return checkNodeRecord(value, key);
    } catch (err) {
      this.log.warn('ignoring a node record the store holds', { key, err });
      return undefined;
    }
  }

  /**
   * A stored record into this replica's view: nodes connected to other
   * replicas take it whole; for nodes streaming here, this replica's record
   * stays and only the operators' marks and the leader's desired target come in.
   */
  private merge(value: NodeRecord): void {
    const live = this.nodes.get(value.nodeId);
    if (!live) {
      this.nodes.set(value.nodeId, { record: value, streamId: 0 });
    } else if (!live.send) {
      // The other replica's report wins, but not over a desired target this replica set after it.
      const mine = live.record.desired;
      const desired = mine && (mine.setAt ?? 0) > (value.desired?.setAt ?? 0) ? mine : value.desired;
      live.record = withDesired({ ...value, lastSeen: Math.max(value.lastSeen, live.record.lastSeen), ...newerConfig(live.record.desiredConfig, value.desiredConfig) }, desired);
    } else {
      // Operators act on any replica: their marks come from the store.
      const hadReset = live.record.resetAt;
      const mine = live.record.desiredConfig;
      live.record = withAdminFields(live.record, { ...value, desired: live.record.desired, ...newerConfig(mine, value.desiredConfig) });
      if (live.record.desiredConfig !== mine) this.tellConfig(live);
      if (value.resetAt !== undefined && value.resetAt !== hadReset) live.send({ reset: true });
      if (value.desired && !sameDesired(live.record.desired, value.desired) && (value.desired.setAt ?? 0) > (live.record.desired?.setAt ?? 0)) {
        // Only a newer target: a record written before this replica's own setDesired committed must not undo it.
        live.record = withDesired(live.record, value.desired);
        this.tellDesired(live);
      } else if (!value.desired && live.record.desired && (value.desiredClearedAt ?? 0) >= (live.record.desired.setAt ?? 0)) {
        live.record = withDesired(live.record, undefined, value.desiredClearedAt);
        this.tellDesired(live);
      }
    }
    // In-place changes tell the fleet's indexes here (a new node did through the map).
    if (live) this.changed(value.nodeId);
  }

  // A report's record, keeping the desired target the store has (the leader may have set it).
  private async persistReport(record: NodeRecord): Promise<void> {
    this.seenWritten.set(record.nodeId, record.lastSeen);
    // Background: a report's write may wait behind lock writes (group commit on SQLite).
    await this.store.update<NodeRecord, void>(`nodes/${record.nodeId}`, (current) => ({ next: withAdminFields(record, current ?? record), result: undefined }), { priority: 'background' });
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

/** The record with `desired`; clearing one notes when (`clearedAt`), so replicas holding the node's stream pass it on. */
function withDesired(record: NodeRecord, desired: DesiredTarget | undefined, clearedAt?: number): NodeRecord {
  const { desired: old, ...rest } = record;
  if (desired) return { ...rest, desired };
  return old && clearedAt !== undefined ? { ...rest, desiredClearedAt: clearedAt } : rest;
}

/** `{desiredConfig}` with the newer of two (by setAt), or {} when neither. */
function newerConfig(mine: DesiredConfigRef | undefined, theirs: DesiredConfigRef | undefined): { desiredConfig?: DesiredConfigRef } {
  const newer = theirs && (theirs.setAt ?? 0) > (mine?.setAt ?? 0) ? theirs : mine;
  return newer ? { desiredConfig: newer } : {};
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

/** What a report changed in a node's record: nothing but lastSeen, only its flow stage, or more. */
export type ReportChange = 'none' | 'stage' | 'fields';

/**
 * Compares two records of one node, lastSeen aside, as their JSON would
 * (a field set to undefined is a field left out). Heartbeats compare equal
 * here thousands of times a second, so it walks the values instead of
 * serializing them, and fields the report did not touch are the same object.
 */
export function reportChange(a: NodeRecord, b: NodeRecord): ReportChange {
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof NodeRecord>) {
    if (key === 'lastSeen' || key === 'flowState' || key === 'flowTarget') continue;
    if (!sameJson(a[key], b[key])) return 'fields';
  }
  return a.flowState !== b.flowState || a.flowTarget !== b.flowTarget ? 'stage' : 'none';
}

// What a restarted coordinator must know; lastSeen alone is not worth a write,
// and a flow stage only when the node comes to rest in it (idle or failed).
// Safety does not rest on the stored stage: a node mid-reboot holds a lock
// slot or is "updating" in a rollout, both written through the store. On a
// shared store (`everyStage`) other replicas see the node only through its
// record, so every stage is written there.
function worthWriting(change: ReportChange, record: NodeRecord, everyStage: boolean): boolean {
  if (change === 'stage') return everyStage || resting(record.flowState);
  return change === 'fields';
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return a === undefined ? b === undefined : false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bs = b as unknown[];
    if (a.length !== bs.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i] ?? null, bs[i] ?? null)) return false;
    return true;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  let defined = 0;
  for (const key in ao) {
    if (ao[key] === undefined) continue;
    defined++;
    if (!sameJson(ao[key], bo[key])) return false;
  }
  for (const key in bo) if (bo[key] !== undefined) defined--;
  return defined === 0;
}
