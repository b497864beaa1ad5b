// Drives rollouts: on every tick, for each active rollout, applies the pure
// planner atomically through the store (so a restart or a second replica
// never moves a node twice), then tells the nodes it started their target.
// Runs only on the leader. Besides the timer, a freed lock slot or a node's
// report that changed something wakes it at once (a freed slot is reused in
// the same event-loop turn, not at the next tick); wake-ups of one turn and
// those during a tick make one more tick.
import { Gauge, type Registry } from 'prom-client';
import { FailedPreconditionError, HostpilotError, InvalidArgumentError, NotFoundError } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import type { FleetRegistry } from '../fleet/registry.js';
import type { NodeRecord, NodeState } from '../fleet/node-record.js';
import type { LockService } from '../locks/lock-service.js';
import { nullNotifier, type Notifier } from '../notify/event.js';
import { rolloutEvents } from '../notify/rollout-events.js';
import type { Store } from '../store/store.js';
import { abortRollout, createRollout, pauseRollout, plan, resumeRollout, type FleetNode } from './planner.js';
import { pinFromReports, plannerTarget, targetFor } from './image-pin.js';
import { ROLLOUT_PHASES, type NodePhase, type RolloutPhase, type Rollout, type RolloutSpec } from './types.js';

const ACTIVE = new Set<RolloutPhase>(['running', 'paused']);
const NODE_PHASES: readonly NodePhase[] = ['waiting', 'updating', 'done', 'failed', 'reverting'];

export function toFleetNode(n: Readonly<NodeRecord>, state: NodeState): FleetNode {
  const booted = n.deployments.find((d) => d.booted);
  return {
    nodeId: n.nodeId,
    labels: n.labels,
    state,
    flowState: n.flowState,
    flowError: n.flowError,
    bootedVersion: booted?.version ?? '',
    bootedChecksum: booted?.checksum ?? '',
    bootedOrigin: booted?.origin ?? '',
    activeProblems: n.conditions.filter((c) => c.status).length,
  };
}

export class RolloutController {
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  /** The pass queued behind the one under way (at most one). */
  private following: Promise<void> | undefined;
  private wakeScheduled = false;
  private unsubscribe: Array<() => void> = [];
  private creating: Promise<unknown> = Promise.resolve();
  private readonly phases: Gauge<'phase'>;
  private readonly nodes: Gauge<'rollout' | 'phase'>;
  private readonly paused: Gauge<'rollout'>;

  constructor(
    private readonly store: Store,
    private readonly fleet: FleetRegistry,
    private readonly locks: LockService,
    registry: Registry,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
    private readonly notifier: Notifier = nullNotifier,
  ) {
    this.phases = new Gauge({ name: 'hostpilot_rollouts', help: 'Rollouts by phase.', labelNames: ['phase'], registers: [registry] });
    this.nodes = new Gauge({ name: 'hostpilot_rollout_nodes', help: 'Nodes of each active rollout by phase.', labelNames: ['rollout', 'phase'], registers: [registry] });
    this.paused = new Gauge({ name: 'hostpilot_rollout_paused', help: '1 while an active rollout is paused (by failure or by hand).', labelNames: ['rollout'], registers: [registry] });
    for (const phase of ROLLOUT_PHASES) this.phases.set({ phase }, 0);
  }

  /** Starts ticking (on the leader). */
  start(intervalMs: number): void {
    clearInterval(this.timer);
    // The timer only starts a pass when none runs: it must not queue passes behind slow ones.
    this.timer = setInterval(() => {
      if (!this.ticking) void this.tick();
    }, intervalMs);
    for (const off of this.unsubscribe.splice(0)) off();
    this.unsubscribe.push(
      this.locks.onSlotFreed(() => this.wake()),
      this.fleet.onReport((_node, changed) => {
        if (changed) this.wake();
      }),
    );
    void this.tick();
  }

  /** Stops ticking (leadership lost, shutdown) and waits for a tick in flight. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    for (const off of this.unsubscribe.splice(0)) off();
    await this.following;
    await this.ticking;
  }

  /** Something a rollout may be waiting for happened: step once this event-loop turn is done. */
  private wake(): void {
    if (!this.leading || this.wakeScheduled) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      void this.tick();
    });
  }

  private get leading(): boolean {
    return this.timer !== undefined;
  }

  /** One create at a time in this process: the overlap check and the write must not interleave with another create's. */
  create(spec: RolloutSpec): Promise<Rollout> {
    const run = this.creating.then(() => this.createNow(spec));
    this.creating = run.catch(() => undefined);
    return run;
  }

  private async createNow(spec: RolloutSpec): Promise<Rollout> {
    await this.fleet.syncFromStore();
    const fleet = [...this.fleet.scan()].map((n) => toFleetNode(n.record, n.state));
    const rollout = createRollout(spec, fleet, this.now());
    if (Object.keys(rollout.nodes).length === 0) throw new InvalidArgumentError('selector', `selects no node (${JSON.stringify(spec.selector)})`);
    // A node belongs to one active rollout at a time: two would fight over its target.
    const busy = new Map<string, string>();
    for (const other of await this.list()) {
      if (!ACTIVE.has(other.phase)) continue;
      for (const id of Object.keys(other.nodes)) busy.set(id, other.spec.id);
    }
    const clash = Object.keys(rollout.nodes).filter((id) => busy.has(id));
    if (clash.length) throw new FailedPreconditionError(`node(s) ${clash.slice(0, 5).join(', ')} already in active rollout ${busy.get(clash[0]!)}`);
    const created = await this.store.update<Rollout, Rollout | undefined>(`rollouts/${spec.id}`, (current) => (current ? { result: undefined } : { next: rollout, result: rollout }));
    if (!created) throw new FailedPreconditionError(`rollout ${spec.id} exists already`);
    this.log.info('rollout created', { rollout: spec.id, target: spec.target, nodes: Object.keys(rollout.nodes).length, buckets: rollout.buckets.map((b) => b.name) });
    for (const event of rolloutEvents(undefined, created, created.createdAt)) this.notifier.emit(event);
    void this.tick();
    return created;
  }

  async get(id: string): Promise<Rollout> {
    const r = await this.store.get<Rollout>(`rollouts/${checkId(id)}`);
    if (!r) throw new NotFoundError(`no rollout ${JSON.stringify(id)}`);
    return r;
  }

  async list(): Promise<Rollout[]> {
    return (await this.store.list<Rollout>('rollouts/')).map((e) => e.value).sort((a, b) => a.createdAt - b.createdAt);
  }

  pause(id: string): Promise<Rollout> {
    return this.operate(id, pauseRollout, 'paused');
  }

  resume(id: string): Promise<Rollout> {
    return this.operate(id, resumeRollout, 'resumed');
  }

  abort(id: string): Promise<Rollout> {
    return this.operate(id, abortRollout, 'aborted');
  }

  private async operate(id: string, fn: (r: Rollout, now: number) => Rollout, verb: string): Promise<Rollout> {
    const now = this.now();
    const result = await this.store.update<Rollout, { before: Rollout; next: Rollout } | HostpilotError>(`rollouts/${checkId(id)}`, (current) => {
      if (!current) return { result: new NotFoundError(`no rollout ${JSON.stringify(id)}`) };
      try {
        const next = fn(current, now);
        return { next, result: { before: current, next } };
      } catch (err) {
        // The operator actions refuse with typed errors; anything else is a fault and propagates.
        if (err instanceof HostpilotError) return { result: err };
        throw err;
      }
    });
    if (result instanceof HostpilotError) throw result;
    this.log.info(`rollout ${verb}`, { rollout: id });
    for (const event of rolloutEvents(result.before, result.next, now)) this.notifier.emit(event);
    void this.tick();
    return result.next;
  }

  /**
   * A pass over every active rollout that starts after this call; never two
   * at once, and only on the leader. While one runs (it may have read the
   * fleet before the caller's change), one more is queued behind it, shared
   * by every caller meanwhile.
   */
  tick(): Promise<void> {
    if (!this.leading) return Promise.resolve();
    if (!this.ticking) return this.startPass();
    this.following ??= this.ticking.then(() => {
      this.following = undefined;
      return this.startPass();
    });
    return this.following;
  }

  private startPass(): Promise<void> {
    if (!this.leading) return Promise.resolve();
    this.ticking ??= this.tickAll().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  private async tickAll(): Promise<void> {
    let rollouts: Rollout[];
    try {
      rollouts = await this.list();
    } catch (err) {
      this.log.warn('cannot read rollouts', { err });
      return;
    }
    // Nodes connected to other replicas are known from the store.
    await this.fleet.syncFromStore().catch((err: unknown) => this.log.warn('cannot read nodes from the store', { err }));
    const fleet = new Map<string, FleetNode>();
    const resolved = new Map<string, string>();
    for (const n of this.fleet.scan()) {
      fleet.set(n.record.nodeId, toFleetNode(n.record, n.state));
      if (n.record.resolvedTarget) resolved.set(n.record.nodeId, n.record.resolvedTarget);
    }
    const counts = new Map(ROLLOUT_PHASES.map((p) => [p, 0]));
    // Nodes any active rollout is moving take their pool's budget, whichever rollout moves
    // them: a node just told may not have reported it yet, and two rollouts over different
    // nodes of one pool would otherwise each spend the whole budget.
    const moving = new Set<string>();
    for (const r of rollouts) {
      if (!ACTIVE.has(r.phase)) continue;
      for (const [id, n] of Object.entries(r.nodes)) if (n.phase === 'updating' || n.phase === 'reverting') moving.add(id);
    }
    for (const r of rollouts) {
      const next = ACTIVE.has(r.phase) ? await this.step(r.spec.id, r.spec.lockGroup, fleet, moving, resolved).catch((err: unknown) => this.log.warn('rollout step failed', { rollout: r.spec.id, err })) : r;
      const current = next ?? r;
      counts.set(current.phase, (counts.get(current.phase) ?? 0) + 1);
      if (ACTIVE.has(current.phase)) this.paused.set({ rollout: current.spec.id }, current.phase === 'paused' ? 1 : 0);
      else this.paused.remove({ rollout: current.spec.id });
      if (ACTIVE.has(current.phase)) {
        const byPhase = new Map<NodePhase, number>(NODE_PHASES.map((p) => [p, 0]));
        for (const n of Object.values(current.nodes)) byPhase.set(n.phase, (byPhase.get(n.phase) ?? 0) + 1);
        for (const [phase, n] of byPhase) this.nodes.set({ rollout: current.spec.id, phase }, n);
      } else {
        for (const phase of NODE_PHASES) this.nodes.remove({ rollout: current.spec.id, phase });
      }
    }
    for (const [phase, n] of counts) this.phases.set({ phase }, n);
  }

  private async step(id: string, group: string, fleet: Map<string, FleetNode>, moving: Set<string>, resolved: Map<string, string>): Promise<Rollout | undefined> {
    // The spec (and so its lock group) never changes after creation: no need to read the rollout again.
    const locked = (await this.locks.list(group).catch(() => []))[0]?.holders.map((h) => h.nodeId) ?? [];
    const now = this.now();
    const outcome = await this.store.update<Rollout, { before: Rollout; next: Rollout; start: string[]; revert: Array<{ nodeId: string; version: string }>; notes: string[] } | undefined>(
      `rollouts/${id}`,
      (current) => {
        if (!current || !ACTIVE.has(current.phase)) return { result: undefined };
        // Nodes other rollouts are moving take their pool's budget. This rollout's own the planner
        // counts from its document as it stands after this step: a node that finished just now
        // frees its place in this tick, not the next one (bench:fleet: one tick per wave).
        const holders = new Set(locked);
        for (const nodeId of moving) if (!(nodeId in current.nodes)) holders.add(nodeId);
        // An image tag is pinned to one digest first (image-pin.ts); the planner judges nodes against that.
        const pinned = pinFromReports(current, (nodeId) => resolved.get(nodeId));
        const p = plan({ rollout: { ...pinned, spec: { ...pinned.spec, target: plannerTarget(pinned) } }, fleet, lockHolders: holders, now });
        p.next = { ...p.next, spec: pinned.spec };
        const changed = !sameRollout(p.next, current);
        return { ...(changed ? { next: { ...p.next, updatedAt: now } } : {}), result: { ...p, before: current } };
      },
    );
    if (!outcome) return undefined;
    for (const nodeId of outcome.start) moving.add(nodeId);
    for (const { nodeId } of outcome.revert) moving.add(nodeId);
    for (const note of outcome.notes) this.log.info('rollout', { rollout: id, note });
    for (const event of rolloutEvents(outcome.before, outcome.next, now)) this.notifier.emit(event);
    const r = outcome.next;
    // Written first, told second: a crash in between leaves a node "updating" that is told on the next tick.
    for (const [nodeId, n] of Object.entries(r.nodes)) {
      const target = targetFor(r, nodeId);
      if (n.phase === 'updating' && r.phase === 'running' && target !== undefined) await this.fleet.setDesired(nodeId, { target, rolloutId: id });
    }
    // Reverting nodes likewise, from the rollout (not this step's revert list), so a crash
    // between recording a rollback and telling the node still tells it after the restart.
    for (const [nodeId, n] of Object.entries(r.nodes)) {
      if (n.phase === 'reverting' && n.previous !== undefined) await this.fleet.setDesired(nodeId, { target: n.previous, rolloutId: id });
    }
    return r;
  }
}

/**
 * Whether a planner step changed the rollout. Field by field over the nodes,
 * the rest as JSON: a large rollout's two JSON texts cost more than the plan
 * itself on every tick (bench:fleet at 5,000 nodes).
 */
export function sameRollout(a: Rollout, b: Rollout): boolean {
  const an = Object.keys(a.nodes);
  if (an.length !== Object.keys(b.nodes).length) return false;
  for (const id of an) {
    const x = a.nodes[id]! as unknown as Record<string, unknown>;
    const y = b.nodes[id] as unknown as Record<string, unknown> | undefined;
    if (!y) return false;
    // A node's entry holds plain values only (types.ts RolloutNode).
    for (const k in x) if (x[k] !== y[k]) return false;
    for (const k in y) if (!(k in x)) return false;
  }
  const { nodes: _a, ...restA } = a;
  const { nodes: _b, ...restB } = b;
  return JSON.stringify(restA) === JSON.stringify(restB);
}

function checkId(id: string): string {
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(id)) throw new InvalidArgumentError('id', `${JSON.stringify(id.slice(0, 80))} is not a rollout id`);
  return id;
}
