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
import { abortRollout, createRollout, pauseRollout, plan, resumeRollout, type FleetNode, type Moving } from './planner.js';
import { pinFromReports, plannerTarget, targetFor } from './image-pin.js';
import { ROLLOUT_PHASES, type NodePhase, type RolloutPhase, type Rollout, type RolloutSpec } from './types.js';
import { movingOf, type BudgetHolder } from './budget.js';
import { dryRun, nodeUpdateMs, type DryRun } from './dry-run.js';
import { poolViews, type PoolView } from './pools.js';
import type { DisruptionGate } from '../fleet/disruption-gate.js';
import { budgetFor, describeTarget, matchesSelector, poolBudgetHolders, poolSizes } from './planner.js';
import type { RolloutConfigs } from './config-targets.js';
import { CONFIG_POOL_LABEL } from '../../common/api/kinds/node-config.js';

/** A rollout with what the fleet says now: each node's state and agent error, and who holds each pool's budget. */
export interface RolloutView {
  rollout: Rollout;
  nodes: Map<string, { state: string; error: string; configHash: string }>;
  budgets: Array<{ pool: string; budget: number; usedBy: BudgetHolder[] }>;
}

const ACTIVE = new Set<RolloutPhase>(['running', 'paused']);
const NODE_PHASES: readonly NodePhase[] = ['waiting', 'updating', 'done', 'failed', 'reverting', 'skipped'];

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
    configHash: n.configHash ?? '',
    ...(n.desiredConfig ? { desiredConfig: { hash: n.desiredConfig.hash, disruption: n.desiredConfig.disruption } } : {}),
    ...(n.excluded ? { excluded: n.excluded.reason } : {}),
    ...(state === 'unreachable' ? { stateSince: n.lastSeen } : {}),
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
  private gate: DisruptionGate | undefined;

  constructor(
    private readonly store: Store,
    private readonly fleet: FleetRegistry,
    private readonly locks: LockService,
    registry: Registry,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
    private readonly notifier: Notifier = nullNotifier,
    /** Rendered node configs (coordinator/configs): a rollout may carry one. */
    private readonly configs?: RolloutConfigs,
  ) {
    this.phases = new Gauge({ name: 'hostpilot_rollouts', help: 'Rollouts by phase.', labelNames: ['phase'], registers: [registry] });
    this.nodes = new Gauge({ name: 'hostpilot_rollout_nodes', help: 'Nodes of each active rollout by phase.', labelNames: ['rollout', 'phase'], registers: [registry] });
    this.paused = new Gauge({ name: 'hostpilot_rollout_paused', help: '1 while an active rollout is paused (by failure or by hand).', labelNames: ['rollout'], registers: [registry] });
    for (const phase of ROLLOUT_PHASES) this.phases.set({ phase }, 0);
  }

  /** Shares the pools' budgets with other spenders (remediation): passes take turns, and their nodes count. */
  shareBudget(gate: DisruptionGate): void {
    this.gate = gate;
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
    spec = await this.pinConfig(spec);
    await this.fleet.syncFromStore();
    const rollout = createRollout(spec, [...this.fleetNow().values()], this.now());
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

  /** A rollout carrying a config pins its pool's rendered hash now; a hash given must be that one. */
  private async pinConfig(spec: RolloutSpec): Promise<RolloutSpec> {
    if (!spec.config) return spec;
    if (!this.configs) throw new FailedPreconditionError('this coordinator has no node configs');
    const hash = await this.configs.pin(spec.config.pool);
    if (spec.config.hash && spec.config.hash !== hash) throw new FailedPreconditionError(`pool ${spec.config.pool}'s rendered config is ${hash || '(none)'} now, not ${spec.config.hash}`);
    return { ...spec, config: { pool: spec.config.pool, hash } };
  }

  async get(id: string): Promise<Rollout> {
    const r = await this.store.get<Rollout>(`rollouts/${checkId(id)}`);
    if (!r) throw new NotFoundError(`no rollout ${JSON.stringify(id)}`);
    return r;
  }

  async list(): Promise<Rollout[]> {
    return (await this.store.list<Rollout>('rollouts/')).map((e) => e.value).sort((a, b) => a.createdAt - b.createdAt);
  }

  /** The rollout with the fleet's view of its nodes and pools now (for `rollout status`). */
  async view(r: Rollout): Promise<RolloutView> {
    await this.fleet.syncFromStore();
    const fleet = this.fleetNow();
    const nodes = new Map<string, { state: string; error: string; configHash: string }>();
    for (const id of Object.keys(r.nodes)) {
      const n = fleet.get(id);
      nodes.set(id, { state: !n ? 'removed' : n.excluded !== undefined ? 'excluded' : n.state, error: n?.flowError ?? '', configHash: n?.configHash ?? '' });
    }
    if (!ACTIVE.has(r.phase)) return { rollout: r, nodes, budgets: [] };
    const holders = await this.lockHolders(r.spec.lockGroup);
    const elsewhere = new Map([...this.movingNow(await this.list())].filter(([id]) => !(id in r.nodes)));
    const held = poolBudgetHolders({ rollout: r, fleet, lockHolders: holders, movingElsewhere: elsewhere, now: this.now() }, r.nodes);
    const sizes = poolSizes(r.spec, fleet);
    const pools = new Set([...Object.keys(r.nodes)].map((id) => fleet.get(id)?.labels[r.spec.poolLabel] ?? '(no pool)'));
    const budgets = [...pools].sort().map((pool) => ({ pool, budget: budgetFor(sizes.get(pool) ?? 1, r.spec.maxUnavailable), usedBy: [...(held.get(pool)?.values() ?? [])] }));
    return { rollout: r, nodes, budgets };
  }

  /** Every pool by `poolLabel`: nodes by state, versions, the rollout moving it, its budget and who uses it. */
  async pools(poolLabel: string): Promise<PoolView[]> {
    await this.fleet.syncFromStore();
    const active = (await this.list()).filter((r) => ACTIVE.has(r.phase));
    const holders = new Map<string, number>();
    for (const g of await this.locks.list()) for (const h of g.holders) holders.set(h.nodeId, h.since);
    // Config pools are named by the `pool` label: under another pool label they are not these pools.
    const configTargets = (poolLabel === CONFIG_POOL_LABEL ? await this.configs?.targets() : undefined) ?? new Map<string, string>();
    return poolViews({ poolLabel, fleet: this.fleetNow(), lockHolders: holders, rollouts: active, moving: this.movingNow(active), configTargets });
  }

  /** What creating this rollout would do, creating nothing. */
  async dryRun(spec: RolloutSpec): Promise<DryRun> {
    // Judged against the config it would pin now: a node on it is already done.
    spec = await this.pinConfig(spec);
    await this.fleet.syncFromStore();
    const fleet = this.fleetNow();
    if (![...fleet.values()].some((n) => matchesSelector(n.labels, spec.selector))) {
      throw new InvalidArgumentError('selector', `selects no node (${JSON.stringify(spec.selector)})`);
    }
    return dryRun(spec, fleet, nodeUpdateMs(await this.list()), this.now());
  }

  private fleetNow(): Map<string, FleetNode> {
    const fleet = new Map<string, FleetNode>();
    for (const n of this.fleet.scan()) fleet.set(n.record.nodeId, toFleetNode(n.record, n.state));
    return fleet;
  }

  private movingNow(rollouts: readonly Rollout[]): Map<string, { rollout: string; target: string; since: number; why?: string }> {
    const moving = new Map<string, { rollout: string; target: string; since: number; why?: string }>();
    for (const r of rollouts) if (ACTIVE.has(r.phase)) for (const [id, m] of movingOf(r.spec.id, describeTarget(r.spec), r.nodes)) moving.set(id, m);
    // Nodes other spenders hold down (remediation) take their pool's budget like moving nodes.
    for (const [id, t] of this.gate?.takenDown() ?? []) if (!moving.has(id)) moving.set(id, { rollout: '', target: '', since: t.since, why: t.why });
    return moving;
  }

  private async lockHolders(group: string): Promise<Map<string, number>> {
    const holders = new Map<string, number>();
    for (const h of (await this.locks.list(group).catch(() => []))[0]?.holders ?? []) holders.set(h.nodeId, h.since);
    return holders;
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

  /** Changes a rollout's spec in place: the resource layer (coordinator/resources) lets only safe fields through. */
  amend(id: string, fn: (r: Rollout, now: number) => Rollout): Promise<Rollout> {
    return this.operate(id, fn, 'changed');
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
    // An ended rollout takes its targets with it, now (the next tick would too).
    if (!ACTIVE.has(result.next.phase)) await this.clearTargetsOf(new Set([id]));
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
    this.ticking ??= (this.gate ? this.gate.run(() => this.tickAll()) : this.tickAll()).finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  private async tickAll(): Promise<void> {
    // Nodes first, then rollouts: a desired target in the node snapshot names a rollout the
    // listing has (or that has ended), so clearEnded below never takes a live rollout's target.
    // Nodes connected to other replicas are known from the store.
    await this.fleet.syncFromStore().catch((err: unknown) => this.log.warn('cannot read nodes from the store', { err }));
    let rollouts: Rollout[];
    try {
      rollouts = await this.list();
    } catch (err) {
      this.log.warn('cannot read rollouts', { err });
      return;
    }
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
    const moving = this.movingNow(rollouts);
    const active = new Set<string>();
    for (const r of rollouts) {
      const next = ACTIVE.has(r.phase) ? await this.step(r.spec.id, r.spec.lockGroup, fleet, moving, resolved).catch((err: unknown) => this.log.warn('rollout step failed', { rollout: r.spec.id, err })) : r;
      const current = next ?? r;
      if (ACTIVE.has(current.phase)) active.add(current.spec.id);
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
    await this.clearEnded(active).catch((err: unknown) => this.log.warn('cannot clear the targets of ended rollouts', { err }));
  }

  /**
   * Clears every desired target set by a rollout that is not active (completed, aborted,
   * deleted). Any replica may run it at start-up, before it serves: an ended rollout never
   * becomes active again. `active`: the active rollouts if the caller just listed them.
   */
  async clearEnded(active?: ReadonlySet<string>): Promise<void> {
    // The node snapshot before the rollout listing (see tickAll).
    const targets = [...this.fleet.scan()].filter((n) => n.record.desired?.rolloutId).map((n) => n.record.desired!.rolloutId);
    const live = active ?? new Set((await this.list()).filter((r) => ACTIVE.has(r.phase)).map((r) => r.spec.id));
    await this.clearTargetsOf(new Set(targets.filter((id) => !live.has(id))));
  }

  private async clearTargetsOf(ended: ReadonlySet<string>): Promise<void> {
    if (ended.size === 0) return;
    const nodes = [...this.fleet.scan()].filter((n) => n.record.desired && ended.has(n.record.desired.rolloutId)).map((n) => [n.record.nodeId, n.record.desired!.rolloutId] as const);
    for (const [nodeId, rolloutId] of nodes) {
      if (await this.fleet.clearDesiredOf(nodeId, rolloutId)) this.log.info('target cleared: its rollout has ended', { node: nodeId, rollout: rolloutId });
    }
  }

  private async step(id: string, group: string, fleet: Map<string, FleetNode>, moving: Map<string, { rollout: string; target: string; since: number }>, resolved: Map<string, string>): Promise<Rollout | undefined> {
    // The spec (and so its lock group) never changes after creation: no need to read the rollout again.
    const holders = await this.lockHolders(group);
    const now = this.now();
    const outcome = await this.store.update<Rollout, { before: Rollout; next: Rollout; start: string[]; revert: Array<{ nodeId: string; version: string }>; notes: string[] } | undefined>(
      `rollouts/${id}`,
      (current) => {
        if (!current || !ACTIVE.has(current.phase)) return { result: undefined };
        // Nodes other rollouts are moving take their pool's budget. This rollout's own the planner
        // counts from its document as it stands after this step: a node that finished just now
        // frees its place in this tick, not the next one (bench:fleet: one tick per wave).
        const elsewhere: Moving = new Map([...moving].filter(([nodeId]) => !(nodeId in current.nodes)));
        // An image tag is pinned to one digest first (image-pin.ts); the planner judges nodes against that.
        const pinned = pinFromReports(current, (nodeId) => resolved.get(nodeId));
        const p = plan({ rollout: { ...pinned, spec: { ...pinned.spec, target: plannerTarget(pinned) } }, fleet, lockHolders: holders, movingElsewhere: elsewhere, now });
        p.next = { ...p.next, spec: pinned.spec };
        const changed = !sameRollout(p.next, current);
        return { ...(changed ? { next: { ...p.next, updatedAt: now } } : {}), result: { ...p, before: current } };
      },
    );
    if (!outcome) return undefined;
    for (const event of rolloutEvents(outcome.before, outcome.next, now)) this.notifier.emit(event);
    const r = outcome.next;
    for (const nodeId of outcome.start) moving.set(nodeId, { rollout: id, target: describeTarget({ ...r.spec, target: targetFor(r, nodeId) ?? r.spec.target }), since: now });
    for (const { nodeId, version } of outcome.revert) moving.set(nodeId, { rollout: id, target: version, since: now });
    for (const note of outcome.notes) this.log.info('rollout', { rollout: id, note });
    // Why it waits, once per change of reason, not every tick.
    if (r.message !== outcome.before.message && r.message) this.log.info('rollout waits', { rollout: id, message: r.message });
    // Written first, told second: a crash in between leaves a node "updating" that is told on the next tick.
    // A config goes with the OS target (the agent applies it before the reboot it takes for the OS: one reboot for both).
    const config = r.spec.config;
    for (const [nodeId, n] of Object.entries(r.nodes)) {
      const target = targetFor(r, nodeId);
      if (n.phase !== 'updating' || r.phase !== 'running') continue;
      if (config) await this.configs?.desire(nodeId, config.hash, n.previousConfig ?? '', id);
      if (target) await this.fleet.setDesired(nodeId, { target, rolloutId: id });
    }
    // Reverting nodes likewise, from the rollout (not this step's revert list), so a crash
    // between recording a rollback and telling the node still tells it after the restart.
    for (const [nodeId, n] of Object.entries(r.nodes)) {
      if (n.phase !== 'reverting') continue;
      if (config && n.previousConfig !== undefined) await this.configs?.desire(nodeId, n.previousConfig, config.hash, id);
      if (n.previous !== undefined) await this.fleet.setDesired(nodeId, { target: n.previous, rolloutId: id });
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
