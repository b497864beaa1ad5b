// Drives rollouts: on every tick, for each active rollout, applies the pure
// planner to the leader's in-memory copy of it (state.ts), writes the nodes
// the step changed and then the rollout's head, only over the head it
// planned from (so a restart, a second replica or an operator's change in
// between never has a node moved twice), then tells the nodes it started
// their target. Runs only on the leader. Besides the timer, a freed lock
// slot or a node's report that changed something wakes it at once (a freed
// slot is reused in the same event-loop turn, not at the next tick);
// wake-ups of one turn and those during a tick make one more tick. A step's
// work and writes are what is in flight and the current bucket: the store
// layout (layout.ts) and the fleet index (fleet-index.ts) keep any of it
// from growing with the fleet.
import { Gauge, type Registry } from 'prom-client';
import { FailedPreconditionError, HostpilotError, InvalidArgumentError, NotFoundError, UnavailableError } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import type { FleetRegistry } from '../fleet/registry.js';
import type { LockService } from '../locks/lock-service.js';
import { nullNotifier, type Notifier } from '../notify/event.js';
import { rolloutEvents } from '../notify/rollout-events.js';
import type { Store } from '../store/store.js';
import { abortRollout, budgetFor, createRollout, describeTarget, forgiven, inFlightOf, matchesSelector, pauseRollout, poolBudgetHolders, resumeHead, step, type Moving } from './planner.js';
import type { DisruptionGate } from '../fleet/disruption-gate.js';
import type { RolloutConfigs } from './config-targets.js';
import { CONFIG_POOL_LABEL } from '../../common/api/kinds/node-config.js';
import { pinOf, plannerTarget, targetFor } from './image-pin.js';
import { NODE_PHASES, ROLLOUT_PHASES, type Rollout, type RolloutHead, type RolloutHeadFields, type RolloutNode, type RolloutPhase, type RolloutSpec } from './types.js';
import { movingOf, type BudgetHolder } from './budget.js';
import { dryRun, nodeUpdateMs, type DryRun } from './dry-run.js';
import { poolViews, type PoolView } from './pools.js';
import { FleetIndex, toFleetNode } from './fleet-index.js';
import type { FleetNode } from './planner.js';
import { createStored, fieldsOf, headKey, listHeads, migrateRollouts, nodeOf, notMigrated, readBuckets, readHead, readNodes, readRollout, toHead, writeNodes } from './layout.js';
import { RolloutState } from './state.js';
import { readSource, statusOf, type RolloutStatusView, type StatusRequest, type StatusSource } from './status.js';

export { toFleetNode };

/** `rollout status`: a page of it, and who holds each pool's budget now. */
export interface RolloutView extends RolloutStatusView {
  budgets: Array<{ pool: string; budget: number; usedBy: BudgetHolder[] }>;
}

const ACTIVE = new Set<RolloutPhase>(['running', 'paused']);

/** The leader's copy of an active rollout, and which head it stands for. */
interface Working {
  state: RolloutState;
  nodesRev: number;
  createdAt: number;
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
  /** The leader's working copies of the active rollouts. */
  private readonly working = new Map<string, Working>();
  private fleetIndex: FleetIndex | undefined;
  /** Rollouts stored whole by an earlier version are rewritten before the first step. */
  private migrated = false;
  /** The active rollouts of the last pass: ended targets are cleared when that set loses one. */
  private lastActive: Set<string> | undefined;
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

  /** The fleet as steps see it, kept up to date node by node from its first use. */
  private get index(): FleetIndex {
    return (this.fleetIndex ??= new FleetIndex(this.fleet));
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
    // A later leadership starts from the store: another replica may have stepped meanwhile.
    this.working.clear();
    this.lastActive = undefined;
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

  /** Shares the pools' budgets with other spenders (remediation): passes take turns, and their nodes count. */
  shareBudget(gate: DisruptionGate): void {
    this.gate = gate;
  }

  /** One create at a time in this process: the overlap check and the write must not interleave with another create's. */
  create(spec: RolloutSpec): Promise<RolloutHead> {
    const run = this.creating.then(() => this.createNow(spec));
    this.creating = run.catch(() => undefined);
    return run;
  }

  private async createNow(spec: RolloutSpec): Promise<RolloutHead> {
    spec = await this.pinConfig(spec);
    await this.fleet.syncFromStore();
    const rollout = createRollout(spec, this.fleetNodes(), this.now());
    const ids = Object.keys(rollout.nodes);
    if (ids.length === 0) throw new InvalidArgumentError('selector', `selects no node (${JSON.stringify(spec.selector)})`);
    // A node belongs to one active rollout at a time: two would fight over its target.
    const mine = new Set(ids);
    for (const other of await this.list()) {
      if (!ACTIVE.has(other.phase)) continue;
      const clash = [...(await readNodes(this.store, other.spec.id)).keys()].filter((id) => mine.has(id));
      if (clash.length) throw new FailedPreconditionError(`node(s) ${clash.slice(0, 5).join(', ')} already in active rollout ${other.spec.id}`);
    }
    if (!(await createStored(this.store, rollout))) throw new FailedPreconditionError(`rollout ${spec.id} exists already`);
    this.log.info('rollout created', { rollout: spec.id, target: spec.target, nodes: ids.length, buckets: rollout.buckets.length });
    const { nodes: _n, buckets: _b, ...fields } = rollout;
    for (const event of rolloutEvents(undefined, fields, rollout.createdAt, { total: ids.length, changed: [] })) this.notifier.emit(event);
    void this.tick();
    return (await readHead(this.store, spec.id))!;
  }

  /** A rollout carrying a config pins its pool's rendered hash now; a hash given must be that one. */
  private async pinConfig(spec: RolloutSpec): Promise<RolloutSpec> {
    if (!spec.config) return spec;
    if (!this.configs) throw new FailedPreconditionError('this coordinator has no node configs');
    const hash = await this.configs.pin(spec.config.pool);
    if (spec.config.hash && spec.config.hash !== hash) throw new FailedPreconditionError(`pool ${spec.config.pool}'s rendered config is ${hash || '(none)'} now, not ${spec.config.hash}`);
    return { ...spec, config: { pool: spec.config.pool, hash } };
  }

  /** The whole rollout, every node of it (tests, small callers; `status` pages). */
  async get(id: string): Promise<Rollout> {
    const r = await readRollout(this.store, checkId(id));
    if (!r) throw new NotFoundError(`no rollout ${JSON.stringify(id)}`);
    return r.rollout;
  }

  async head(id: string): Promise<RolloutHead> {
    const h = await readHead(this.store, checkId(id));
    if (!h) throw new NotFoundError(`no rollout ${JSON.stringify(id)}`);
    return h;
  }

  /** Every rollout's head, oldest first. */
  list(): Promise<RolloutHead[]> {
    return listHeads(this.store);
  }

  /**
   * `rollout status`: counts per phase per bucket, a page of nodes with the fleet's view of
   * each, each pool's budget holders. On the leader from its copy (no read of every node).
   */
  async status(head: RolloutHead, req: StatusRequest): Promise<RolloutView> {
    await this.fleet.syncFromStore();
    const r = head.spec;
    const w = this.copyOf(head);
    const source: StatusSource = w ? { nodes: w.state.nodes, bucketOf: (id) => w.state.bucketOf.get(id) ?? 0, buckets: w.state.buckets } : await readSource(this.store, r.id);
    const page = statusOf(head, source, this.index, req);
    if (!ACTIVE.has(head.phase)) return { ...page, budgets: [] };
    const inFlight = [...source.nodes].filter(([, n]) => n.phase === 'updating' || n.phase === 'reverting');
    const holders = await this.lockHolders(r.lockGroup);
    const elsewhere = new Map([...(await this.movingNow(await this.list()))].filter(([id]) => !source.nodes.has(id)));
    const held = poolBudgetHolders({ fleet: this.index, lockHolders: holders, movingElsewhere: elsewhere, now: this.now() }, r, inFlight);
    const sizes = this.index.poolSizes(r.poolLabel);
    const pools = new Set<string>();
    for (const id of source.nodes.keys()) pools.add(this.fleet.peek(id)?.record.labels[r.poolLabel] ?? '(no pool)');
    const budgets = [...pools].sort().map((pool) => ({ pool, budget: budgetFor(sizes.get(pool) ?? 1, r.maxUnavailable), usedBy: [...(held.get(pool)?.values() ?? [])] }));
    return { ...page, budgets };
  }

  /** Every pool by `poolLabel`: nodes by state, versions, the rollout moving it, its budget and who uses it. */
  async pools(poolLabel: string): Promise<PoolView[]> {
    await this.fleet.syncFromStore();
    const active = (await this.list()).filter((r) => ACTIVE.has(r.phase));
    const holders = new Map<string, number>();
    for (const g of await this.locks.list()) for (const h of g.holders) holders.set(h.nodeId, h.since);
    const rollouts = [];
    // On the leader from its copy: ListPools is polled (a dashboard, bench:fleet's budget check) and must not parse every node key.
    for (const r of active) rollouts.push({ ...r, nodeIds: (await this.nodesOf(r)).keys() });
    // Config pools are named by the `pool` label: under another pool label they are not these pools.
    const configTargets = (poolLabel === CONFIG_POOL_LABEL ? await this.configs?.targets() : undefined) ?? new Map<string, string>();
    return poolViews({ poolLabel, fleet: this.fleetMap(), lockHolders: holders, rollouts, moving: await this.movingNow(active), configTargets });
  }

  /** What creating this rollout would do, creating nothing. */
  async dryRun(spec: RolloutSpec): Promise<DryRun> {
    // Judged against the config it would pin now: a node on it is already done.
    spec = await this.pinConfig(spec);
    await this.fleet.syncFromStore();
    const fleet = this.fleetMap();
    if (![...fleet.values()].some((n) => matchesSelector(n.labels, spec.selector))) {
      throw new InvalidArgumentError('selector', `selects no node (${JSON.stringify(spec.selector)})`);
    }
    const earlier: Rollout[] = [];
    // The time model looks at the newest rollouts' nodes only (dry-run.ts).
    for (const h of (await this.list()).sort((a, b) => b.createdAt - a.createdAt).slice(0, 5)) earlier.push((await readRollout(this.store, h.spec.id))!.rollout);
    return dryRun(spec, fleet, nodeUpdateMs(earlier), this.now());
  }

  /** Every node as the planner sees it (create and the dry run: once per call, not per step). */
  private fleetNodes(): FleetNode[] {
    return [...this.fleet.scan()].map((n) => toFleetNode(n.record, n.state));
  }

  private fleetMap(): Map<string, FleetNode> {
    return new Map(this.fleetNodes().map((n) => [n.nodeId, n]));
  }

  /** The leader's working copy of this rollout, when it has one of this very rollout (not an older one of the same id). */
  private copyOf(head: RolloutHead): Working | undefined {
    const w = this.working.get(head.spec.id);
    return w && w.createdAt === head.createdAt ? w : undefined;
  }

  /** A rollout's nodes: the leader's copy, else the store. */
  private async nodesOf(head: RolloutHead): Promise<ReadonlyMap<string, RolloutNode>> {
    return this.copyOf(head)?.state.nodes ?? (await readNodes(this.store, head.spec.id));
  }

/** The nodes the active rollouts move now (remediation leaves them alone; they take budget). */
  async moving(): Promise<Moving> {
    return this.movingNow(await this.list());
  }

  /** The nodes the active rollouts are moving: from the leader's copies, else from the store. */
  private async movingNow(heads: readonly RolloutHead[]): Promise<Map<string, { rollout: string; target: string; since: number; why?: string }>> {
    const moving = new Map<string, { rollout: string; target: string; since: number; why?: string }>();
    for (const h of heads) {
      if (!ACTIVE.has(h.phase)) continue;
      const w = this.working.get(h.spec.id);
      const inFlight = w ? inFlightOf(w.state) : [...(await readNodes(this.store, h.spec.id))].filter(([, n]) => n.phase === 'updating' || n.phase === 'reverting');
      for (const [id, m] of movingOf(h.spec.id, describeTarget(h.spec), inFlight)) moving.set(id, m);
    }
    // Nodes other spenders hold down (remediation) take their pool's budget like moving nodes.
    for (const [id, t] of this.gate?.takenDown() ?? []) if (!moving.has(id)) moving.set(id, { rollout: '', target: '', since: t.since, why: t.why });
    return moving;
  }

  private async lockHolders(group: string): Promise<Map<string, number>> {
    const holders = new Map<string, number>();
    for (const h of (await this.locks.list(group).catch(() => []))[0]?.holders ?? []) holders.set(h.nodeId, h.since);
    return holders;
  }

  pause(id: string): Promise<RolloutHead> {
    return this.operate(id, (r, now) => ({ next: pauseRollout(r, now) }), 'paused');
  }

  /** Resumes; past failures at the failure policy's limit it forgives them: their node keys first, then the head. */
  async resume(id: string): Promise<RolloutHead> {
    const nodes = await readNodes(this.store, checkId(id));
    const failing = [...nodes].filter(([, n]) => (n.phase === 'failed' || n.phase === 'reverting') && !n.forgiven);
    return this.operate(
      id,
      (r, now) => {
        const { next, forgive } = resumeHead(r, now, failing.length);
        return { next, forgive };
      },
      'resumed',
      async (forgive) => {
        if (forgive) await writeNodes(this.store, id, failing.map(([nodeId, n]) => [nodeId, forgiven(nodeOf(n))] as const), (nodeId) => nodes.get(nodeId)!.bucket);
      },
    );
  }

  abort(id: string): Promise<RolloutHead> {
    return this.operate(id, (r, now) => ({ next: abortRollout(r, now) }), 'aborted');
  }

  /** Changes a rollout's spec in place: the resource layer (coordinator/resources) lets only safe fields through. */
  amend(id: string, fn: (r: RolloutHeadFields, now: number) => RolloutHeadFields): Promise<RolloutHead> {
    return this.operate(id, (r, now) => ({ next: fn(r, now) }), 'changed');
  }

  /**
   * An operator's change of the head. `before` writes node keys the change needs (a
   * resume's forgiveness) before the head, which then bumps nodesRev so the leader reads
   * them again; it runs only when the change is allowed (checked on the head read first).
   */
  private async operate(
    id: string,
    fn: (r: RolloutHeadFields, now: number) => { next: RolloutHeadFields; forgive?: boolean },
    verb: string,
    before?: (forgive: boolean) => Promise<void>,
  ): Promise<RolloutHead> {
    const now = this.now();
    const check = await this.head(id);
    if (check.rev === 0) throw new UnavailableError(`rollout ${id} is stored in an earlier version's layout: the leader migrates it before its first step; try again`);
    const forgive = fn(fieldsOf(check), now).forgive === true;
    if (before) await before(forgive);
    const result = await this.store.update<RolloutHead, { before: RolloutHead; next: RolloutHead } | HostpilotError>(headKey(checkId(id)), (current) => {
      if (!current) return { result: new NotFoundError(`no rollout ${JSON.stringify(id)}`) };
      if (notMigrated(current)) return { result: new UnavailableError(`rollout ${id} is being migrated to the per-node layout; try again`) };
      try {
        const { next: fields } = fn(fieldsOf(current), now);
        const next = toHead(fields, current.bucketCount, current.bucketName, current.counts, current.rev + 1, forgive ? current.rev + 1 : current.nodesRev);
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
    for (const event of rolloutEvents(fieldsOf(result.before), fieldsOf(result.next), now, { total: totalOf(result.next), changed: [] })) this.notifier.emit(event);
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
    let heads: RolloutHead[];
    try {
      if (!this.migrated) {
        await migrateRollouts(this.store, this.log);
        this.migrated = true;
      }
      heads = await this.list();
      for (const h of heads) if (ACTIVE.has(h.phase)) await this.workingCopy(h);
    } catch (err) {
      this.log.warn('cannot read rollouts', { err });
      return;
    }
    const counts = new Map(ROLLOUT_PHASES.map((p) => [p, 0]));
    // Nodes any active rollout is moving take their pool's budget, whichever rollout moves
    // them: a node just told may not have reported it yet, and two rollouts over different
    // nodes of one pool would otherwise each spend the whole budget.
    const moving = await this.movingNow(heads);
    const active = new Set<string>();
    for (const h of heads) {
      const id = h.spec.id;
      const phase = ACTIVE.has(h.phase) ? ((await this.step(id, moving).catch((err: unknown) => this.failedStep(id, err))) ?? h.phase) : h.phase;
      counts.set(phase, (counts.get(phase) ?? 0) + 1);
      const w = this.working.get(id);
      if (ACTIVE.has(phase) && w) {
        active.add(id);
        this.paused.set({ rollout: id }, phase === 'paused' ? 1 : 0);
        for (const p of NODE_PHASES) this.nodes.set({ rollout: id, phase: p }, w.state.counts[p]);
      } else {
        if (ACTIVE.has(phase)) active.add(id);
        this.paused.remove({ rollout: id });
        for (const p of NODE_PHASES) this.nodes.remove({ rollout: id, phase: p });
        if (!ACTIVE.has(phase)) this.working.delete(id);
      }
    }
    for (const id of this.working.keys()) if (!heads.some((h) => h.spec.id === id)) this.working.delete(id);
    for (const [phase, n] of counts) this.phases.set({ phase }, n);
    // Targets of ended rollouts: once per leadership, then whenever an active rollout ends.
    const ended = !this.lastActive || [...this.lastActive].some((id) => !active.has(id));
    this.lastActive = active;
    if (ended) await this.clearEnded(active).catch((err: unknown) => this.log.warn('cannot clear the targets of ended rollouts', { err }));
  }

  private failedStep(id: string, err: unknown): undefined {
    this.log.warn('rollout step failed', { rollout: id, err });
    // What the store holds is the truth again: the next step starts from it.
    this.working.delete(id);
    return undefined;
  }

  /** The leader's copy of an active rollout, read from the store when it has none or another writer changed its nodes. */
  private async workingCopy(h: RolloutHead): Promise<Working> {
    const id = h.spec.id;
    let w = this.working.get(id);
    if (!w || w.nodesRev !== h.nodesRev || w.createdAt !== h.createdAt) {
      const [nodes, buckets] = await Promise.all([readNodes(this.store, id), readBuckets(this.store, id)]);
      w = { state: new RolloutState(fieldsOf(h), buckets, [...nodes].map(([nodeId, n]) => [nodeId, nodeOf(n)])), nodesRev: h.nodesRev, createdAt: h.createdAt };
      this.working.set(id, w);
    }
    return w;
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

  /** One step of an active rollout; its phase after, or undefined when it was not stepped. */
  private async step(id: string, moving: Map<string, { rollout: string; target: string; since: number }>): Promise<RolloutPhase | undefined> {
    // The head as it is now: an operator may have changed it since the listing.
    const head = await readHead(this.store, id);
    if (!head || !ACTIVE.has(head.phase)) return head?.phase;
    const w = await this.workingCopy(head);
    const s = w.state;
    s.head = fieldsOf(head);
    const before = { ...s.head };
    const holders = await this.lockHolders(head.spec.lockGroup);
    const now = this.now();
    // Nodes other rollouts are moving take their pool's budget; this rollout's own the planner
    // counts from its copy as it stands after this step: a node that finished just now frees its
    // place in this tick, not the next one (bench:fleet: one tick per wave).
    const elsewhere: Moving = new Map([...moving].filter(([nodeId]) => !s.nodes.has(nodeId)));
    // An image tag is pinned to one digest first (image-pin.ts); the planner judges nodes against that.
    const pinned = pinOf(s, (nodeId) => this.fleet.peek(nodeId)?.record.resolvedTarget);
    if (pinned !== undefined) s.head.pinnedTarget = pinned;
    const spec = s.head.spec;
    s.head.spec = { ...spec, target: plannerTarget(s.head) };
    let outcome;
    try {
      outcome = step(s, { fleet: this.index, lockHolders: holders, movingElsewhere: elsewhere, now });
    } finally {
      s.head.spec = spec;
    }
    const changed = s.takeChanged();
    const headChanged = changed.length > 0 || JSON.stringify(before) !== JSON.stringify(s.head);
    if (headChanged) {
      // Nodes first, the head second, and only over the head this step planned from. A crash
      // in between leaves nodes the head's counts do not show yet: the next leader reads the
      // nodes (the truth) and writes the head again; a started node is told on that step.
      await writeNodes(this.store, id, changed.map(([nodeId, , n]) => [nodeId, n] as const), (nodeId) => s.bucketOf.get(nodeId) ?? 0);
      s.head.updatedAt = now;
      const next = toHead(s.head, s.buckets.length, s.buckets[s.head.bucket]?.name ?? '', { ...s.counts }, head.rev + 1, head.nodesRev);
      const written = await this.store.update<RolloutHead, boolean>(headKey(id), (current) => (current?.rev === head.rev ? { next, result: true } : { result: false }));
      if (!written) {
        // Changed meanwhile (an operator): the nodes written stand; the head is planned again at once.
        this.log.info('rollout changed during a step: stepping again', { rollout: id });
        this.wake();
        return head.phase;
      }
    }
    for (const event of rolloutEvents(before, s.head, now, { total: s.nodes.size, changed })) this.notifier.emit(event);
    for (const nodeId of outcome.start) moving.set(nodeId, { rollout: id, target: describeTarget({ ...s.head.spec, target: targetFor(s, nodeId) ?? s.head.spec.target }), since: now });
    for (const { nodeId, version } of outcome.revert) moving.set(nodeId, { rollout: id, target: version, since: now });
    for (const note of outcome.notes) this.log.info('rollout', { rollout: id, note });
    // Why it waits, once per change of reason, not every tick.
    if (s.head.message !== before.message && s.head.message) this.log.info('rollout waits', { rollout: id, message: s.head.message });
    // Written first, told second: a crash in between leaves a node "updating" that is told on
    // the next step. Reverting nodes likewise, from the rollout (not this step's revert list),
    // so a crash between recording a rollback and telling the node still tells it after the restart.
    // A config goes with the OS target (the agent applies it before the reboot it takes for the OS: one reboot for both).
    // Nodes side by side, each node's config before its target: the writes of the nodes a step
    // starts share one commit (a bucket's first step starts a whole wave: one by one, the last of
    // 400 nodes waited for 399 commits before it was told).
    const config = s.head.spec.config;
    const tell = async (nodeId: string): Promise<void> => {
      const n = s.get(nodeId)!;
      if (n.phase === 'updating' && s.head.phase === 'running') {
        const target = targetFor(s, nodeId);
        if (config) await this.configs?.desire(nodeId, config.hash, n.previousConfig ?? '', id);
        if (target) await this.fleet.setDesired(nodeId, { target, rolloutId: id });
      } else if (n.phase === 'reverting') {
        if (config && n.previousConfig !== undefined) await this.configs?.desire(nodeId, n.previousConfig, config.hash, id);
        if (n.previous !== undefined) await this.fleet.setDesired(nodeId, { target: n.previous, rolloutId: id });
      }
    };
    await Promise.all([...s.inFlight].map(tell));
    return s.head.phase;
  }
}

/** Nodes of a rollout by its head's counts. */
function totalOf(h: RolloutHead): number {
  return Object.values(h.counts).reduce((a, b) => a + b, 0);
}

function checkId(id: string): string {
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(id)) throw new InvalidArgumentError('id', `${JSON.stringify(id.slice(0, 80))} is not a rollout id`);
  return id;
}
