// The remediation controller: on the leader, a pass over the fleet whenever a
// node's report changes something and on a slow timer (for timeouts). Each
// pass reads the policies, the nodes, the rollouts and the lock holders, then
// per pool applies the storm guard and per node the ladder (ladder.ts),
// writing each node's remediation to the store before its order is sent, so
// a restarted coordinator or a new leader resumes the step it finds there.
// Passes take turns with the rollout controller's through the disruption gate:
// a reboot ordered here and a node started by a rollout never take the same
// last place of a pool's budget.
import { parseRemediationPolicySpec, type RemediationPolicySpec } from '../../common/api/kinds/remediation-policy.js';
import { InvalidArgumentError, NotFoundError } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import { validateNodeId } from '../../common/names.js';
import type { DisruptionGate, TakenDown } from '../fleet/disruption-gate.js';
import type { FleetRegistry } from '../fleet/registry.js';
import type { LockService } from '../locks/lock-service.js';
import { nullNotifier, type Notifier, type NotifyEvent } from '../notify/event.js';
import { kindPrefix, type StoredResource } from '../resources/stored.js';
import { poolOf } from '../rollout/budget.js';
import type { Moving } from '../rollout/planner.js';
import type { RolloutSpec } from '../rollout/types.js';
import { toFleetNode } from '../rollout/controller.js';
import { matchesSelector, type FleetNode } from '../rollout/planner.js';
import type { Store } from '../store/store.js';
import type { Registry } from 'prom-client';
import { downByPool, remediationBudget } from './budget.js';
import { emptyRemediation, orderOf, stepLadder, type LadderStepResult, type NodeNow, type Order } from './ladder.js';
import { RemediationMetrics } from './metrics.js';
import { isStorm } from './storm.js';
import { HISTORY_LIMIT, isDisruptive, nodeKey, poolKey, type NodeRemediation, type PoolRemediation } from './types.js';
import { unhealthyOf, type Unhealthy } from './unhealthy.js';

/** One line of `remediation list`: a node under remediation, or unhealthy and waiting. */
export interface RemediationEntry {
  node: string;
  pool: string;
  policy: string;
  condition: string;
  since: number;
  /** "restart-unit kubelet.service", "reboot", "reprovision", or "" while none is under way. */
  step: string;
  stepIndex: number;
  attempts: number;
  /** When the step under way times out (the next is due), or when a waiting node becomes due; 0: none. */
  nextStepAt: number;
  orderId: string;
  /** running | succeeded | failed as the agent said, or "". */
  result: string;
  /** Why it waits, if it does. */
  message: string;
  needsReprovision: boolean;
}

/** What remediation asks of the rollouts (RolloutController). */
export interface RolloutsView {
  moving(): Promise<Moving>;
  list(): Promise<Array<{ spec: RolloutSpec; phase: string }>>;
}

export interface RemediationDeps {
  store: Store;
  fleet: FleetRegistry;
  locks: LockService;
  gate: DisruptionGate;
  /** The nodes the active rollouts move now (RolloutController.moving): they are not remediated, and they take budget. */
  rollouts: RolloutsView;
  registry: Registry;
  log: Logger;
  now?: () => number;
  notifier?: Notifier;
  /** An order the agent has not answered is sent again after this long. */
  resendMs?: number;
}

interface Policy {
  name: string;
  spec: RemediationPolicySpec;
}

const POOL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

export class RemediationController {
  private readonly store: Store;
  private readonly fleet: FleetRegistry;
  private readonly locks: LockService;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly notifier: Notifier;
  private readonly resendMs: number;
  private readonly metrics: RemediationMetrics;
  private readonly gate: DisruptionGate;
  private readonly rollouts: RolloutsView;
  /** The leader's copy of remediations/ as it wrote it (the disruption gate reads it). */
  private known = new Map<string, NodeRemediation>();
  private readonly sent = new Map<string, { id: string; at: number }>();
  private readonly firstSeen = new Map<string, number>();
  private entries: RemediationEntry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private passing: Promise<void> | undefined;
  private following: Promise<void> | undefined;
  private wakeScheduled = false;
  private unsubscribe: (() => void) | undefined;
  private stopRelay: (() => void) | undefined;
  private readonly relayChecked = new Map<string, number>();

  constructor(deps: RemediationDeps) {
    this.store = deps.store;
    this.fleet = deps.fleet;
    this.locks = deps.locks;
    this.log = deps.log;
    this.now = deps.now ?? Date.now;
    this.notifier = deps.notifier ?? nullNotifier;
    this.resendMs = deps.resendMs ?? 30_000;
    this.metrics = new RemediationMetrics(deps.registry);
    this.gate = deps.gate;
    this.rollouts = deps.rollouts;
    this.gate.register('remediation', () => this.takenDown());
  }

  start(intervalMs: number): void {
    clearInterval(this.timer);
    this.timer = setInterval(() => {
      if (!this.passing) void this.pass();
    }, intervalMs);
    this.unsubscribe?.();
    this.unsubscribe = this.fleet.onReport((_node, changed) => {
      if (changed) this.wake();
    });
    void this.pass();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.following;
    await this.passing;
  }

  /**
   * On a shared store (etcd replicas), a node streams to any replica, and only
   * the leader decides: every replica passes the leader's unanswered order to
   * the nodes streaming to it, reading the node's remediation at most once
   * per resendMs.
   */
  startRelay(): void {
    this.stopRelay?.();
    this.stopRelay = this.fleet.onReport((nodeId) => {
      if (this.leading) return;
      const now = this.now();
      if (now - (this.relayChecked.get(nodeId) ?? -Infinity) < this.resendMs) return;
      const node = this.fleet.peek(nodeId);
      if (!node?.connected) return;
      this.relayChecked.set(nodeId, now);
      void this.store
        .get<NodeRemediation>(nodeKey(nodeId))
        .then((r) => {
          const a = r?.active;
          if (a && node.record.remediation?.id !== a.orderId) this.send(nodeId, orderOf(a), now);
        })
        .catch((err: unknown) => this.log.warn('cannot read a remediation to relay', { node: nodeId, err }));
    });
  }

  stopRelaying(): void {
    this.stopRelay?.();
    this.stopRelay = undefined;
  }

  private get leading(): boolean {
    return this.timer !== undefined;
  }

  private wake(): void {
    if (!this.leading || this.wakeScheduled) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      void this.pass();
    });
  }

  /** A pass that starts after this call (one runs at a time; one more is queued behind it). */
  pass(): Promise<void> {
    if (!this.leading) return Promise.resolve();
    if (!this.passing) return this.startPass();
    this.following ??= this.passing.then(() => {
      this.following = undefined;
      return this.startPass();
    });
    return this.following;
  }

  private startPass(): Promise<void> {
    if (!this.leading) return Promise.resolve();
    this.passing ??= this.gate
      .run(() => this.passNow())
      .catch((err: unknown) => this.log.warn('remediation pass failed', { err }))
      .finally(() => (this.passing = undefined));
    return this.passing;
  }

  /** Nodes in a disruptive step: they take their pool's budget in rollouts too. */
  takenDown(): Map<string, TakenDown> {
    const out = new Map<string, TakenDown>();
    for (const r of this.known.values()) {
      const a = r.active;
      if (a && isDisruptive(a.action)) out.set(r.node, { why: `remediation: ${a.action} (${a.condition})`, since: a.startedAt });
    }
    return out;
  }

  /** Every node under remediation or unhealthy by a policy, as the last pass saw it (the leader's view), else from the store. */
  async list(): Promise<RemediationEntry[]> {
    if (this.leading) return this.entries;
    return (await this.store.list<NodeRemediation>('remediations/')).map((e) => e.value).filter((r) => r.active || r.needsReprovision).map((r) => entryOf(r, undefined, undefined, ''));
  }

  async history(node: string): Promise<NodeRemediation> {
    const id = validateNodeId(node, 'node');
    const r = await this.store.get<NodeRemediation>(nodeKey(id));
    if (!r) throw new NotFoundError(`no remediation history for node ${JSON.stringify(id)}`);
    return r;
  }

  async pools(): Promise<Map<string, PoolRemediation>> {
    return new Map((await this.store.list<PoolRemediation>('remediation-pools/')).map((e) => [e.value.pool, e.value]));
  }

  pause(pool: string): Promise<PoolRemediation> {
    return this.setPaused(pool, true);
  }

  resume(pool: string): Promise<PoolRemediation> {
    return this.setPaused(pool, false);
  }

  private async setPaused(pool: string, paused: boolean): Promise<PoolRemediation> {
    if (pool !== '(no pool)' && !POOL_NAME.test(pool)) throw new InvalidArgumentError('pool', `${JSON.stringify(pool.slice(0, 80))} is not a pool name (a label value)`);
    const { changed, next } = await this.store.update<PoolRemediation, { changed: boolean; next: PoolRemediation }>(poolKey(pool), (current) => {
      const base = current ?? { pool, paused: false, storm: false };
      if (base.paused === paused) return { result: { changed: false, next: base } };
      const next = { ...base, paused };
      return { next, result: { changed: true, next } };
    });
    if (changed) {
      this.log.info(`remediation ${paused ? 'paused' : 'resumed'}`, { pool });
      this.emit({ event: paused ? 'remediation.paused' : 'remediation.resumed', pool, text: `remediation in pool ${pool} ${paused ? 'paused' : 'resumed'} by an operator` });
      void this.pass();
    }
    return next;
  }

  private emit(e: Omit<NotifyEvent, 'time'>): void {
    this.notifier.emit({ ...e, time: new Date(this.now()).toISOString() });
  }

  private async policies(): Promise<Policy[]> {
    const out: Policy[] = [];
    for (const { value } of await this.store.list<StoredResource>(kindPrefix('RemediationPolicy'))) {
      if (value.metadata.deletionTimestamp) continue;
      try {
        out.push({ name: value.metadata.name, spec: parseRemediationPolicySpec(value.spec) });
      } catch (err) {
        // Checked when applied; a stored one that no longer parses is skipped, loudly.
        this.log.warn('stored RemediationPolicy does not validate: skipped', { policy: value.metadata.name, err });
      }
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  private firstSeenOf(node: string, type: string, now: number, seen: Set<string>): number {
    const key = `${node}\u0000${type}`;
    seen.add(key);
    let at = this.firstSeen.get(key);
    if (at === undefined) this.firstSeen.set(key, (at = now));
    return at;
  }

  private async passNow(): Promise<void> {
    await this.fleet.syncFromStore().catch((err: unknown) => this.log.warn('cannot read nodes from the store', { err }));
    const now = this.now();
    const policies = await this.policies();
    const stored = new Map((await this.store.list<NodeRemediation>('remediations/')).map((e) => [e.value.node, e.value]));
    this.known = stored;
    const poolDocs = await this.pools();
    if (policies.length === 0 && ![...stored.values()].some((r) => r.active || r.needsReprovision) && ![...poolDocs.values()].some((p) => p.storm)) {
      // Nothing selects a node and nothing is under way: no pass over the fleet (an idle 10,000-node fleet paid for it every 5 s).
      this.entries = [];
      this.firstSeen.clear();
      this.metrics.set(new Map(), new Set(), new Set());
      return;
    }
    const moving = await this.rollouts.moving();
    const rollouts = (await this.rollouts.list()).filter((r) => r.phase === 'running' || r.phase === 'paused');
    const holders = new Set<string>();
    for (const g of await this.locks.list()) for (const h of g.holders) holders.add(h.nodeId);

    const fleet = new Map<string, FleetNode>();
    const facts = new Map<string, { unhealthy: Unhealthy | undefined; result: NodeNow['result']; policy: Policy; pool: string }>();
    const seen = new Set<string>();
    // Per policy and pool: how many nodes it selects and how many are unhealthy now (the storm guard's count).
    const groups = new Map<string, { policy: Policy; pool: string; size: number; unhealthy: number }>();
    for (const n of this.fleet.scan()) {
      const fn = toFleetNode(n.record, n.state);
      fleet.set(fn.nodeId, fn);
      const policy = policies.find((p) => matchesSelector(n.record.labels, p.spec.selector));
      if (!policy) continue;
      const pool = poolOf(policy.spec.poolLabel, fn);
      const unhealthy = unhealthyOf(policy.spec, { conditions: n.record.conditions, unreachable: n.state === 'unreachable', lastSeen: n.record.lastSeen }, (type) => this.firstSeenOf(fn.nodeId, type, now, seen));
      const rep = n.record.remediation;
      const result: NodeNow['result'] = rep && (rep.state === 'running' || rep.state === 'succeeded' || rep.state === 'failed') ? { id: rep.id, state: rep.state, message: rep.message } : undefined;
      facts.set(fn.nodeId, { unhealthy, result, policy, pool });
      const key = `${policy.name}\u0000${pool}`;
      const g = groups.get(key) ?? { policy, pool, size: 0, unhealthy: 0 };
      g.size++;
      if (unhealthy || stored.get(fn.nodeId)?.needsReprovision) g.unhealthy++;
      groups.set(key, g);
    }
    for (const key of this.firstSeen.keys()) if (!seen.has(key)) this.firstSeen.delete(key);

    // The storm guard, per pool.
    const storms = await this.guardStorms([...groups.values()], poolDocs, now);
    const poolNames = new Set([...groups.values()].map((g) => g.pool));

    // The ladder, per node.
    const down = new Map<string, Map<string, Set<string>>>();
    const remediating = new Set([...stored.values()].filter((r) => r.active && isDisruptive(r.active.action)).map((r) => r.node));
    const downFor = (poolLabel: string) => {
      let d = down.get(poolLabel);
      if (!d) down.set(poolLabel, (d = downByPool({ poolLabel, fleet, lockHolders: holders, moving, remediating })));
      return d;
    };
    const sizes = new Map<string, number>();
    const sizeOf = (poolLabel: string, pool: string) => {
      const key = `${poolLabel}\u0000${pool}`;
      let n = sizes.get(key);
      if (n === undefined) sizes.set(key, (n = [...fleet.values()].filter((f) => poolOf(poolLabel, f) === pool).length));
      return n;
    };
    const entries: RemediationEntry[] = [];
    const ids = [...new Set([...stored.values()].filter((r) => r.active || r.needsReprovision).map((r) => r.node).concat([...facts].filter(([, f]) => f.unhealthy).map(([id]) => id)))].sort();
    for (const id of ids) {
      const f = facts.get(id);
      const before = stored.get(id) ?? emptyRemediation(id);
      if (!f) {
        // Removed from the fleet, or no policy selects it any more: its remediation ends here.
        if (before.active) await this.write(id, abandon(before, now, fleet.has(id) ? 'no RemediationPolicy selects the node any more' : 'the node left the fleet'));
        continue;
      }
      const { policy, pool } = f;
      const node = fleet.get(id)!;
      const doc = poolDocs.get(pool);
      const cooling = !doc?.storm && doc?.stormSince !== undefined && now < doc.stormSince + policy.spec.stormCooldownMs ? `storm over; cooling down until ${new Date(doc.stormSince + policy.spec.stormCooldownMs).toISOString()}` : undefined;
      const held = doc?.paused ? `remediation paused in pool ${pool}` : (storms.get(pool) ?? cooling ?? (policy.spec.paused ? `policy ${policy.name} is paused` : undefined));
      const movedBy = moving.get(id)?.rollout;
      const untouchable = node.excluded !== undefined ? `excluded: ${node.excluded}` : movedBy ? `rollout ${movedBy} is moving it` : undefined;
      const poolDown = downFor(policy.spec.poolLabel).get(pool) ?? new Set<string>();
      const others = [...poolDown].filter((x) => x !== id).length;
      const budget = remediationBudget(pool, sizeOf(policy.spec.poolLabel, pool), policy.spec.maxUnavailable, policy.spec.poolLabel, fleet, rollouts);
      const step = stepLadder(policy.spec, before, { nodeId: id, pool, policyName: policy.name, unhealthy: f.unhealthy, result: f.result, ...(untouchable ? { untouchable } : {}) }, { ...(held ? { held } : {}), mayDisrupt: others < budget }, now);
      if (JSON.stringify(step.next) !== JSON.stringify(before)) await this.write(id, step.next);
      const a = step.next.active;
      if (a && isDisruptive(a.action)) {
        remediating.add(id);
        poolDown.add(id);
        if (!downFor(policy.spec.poolLabel).has(pool)) downFor(policy.spec.poolLabel).set(pool, poolDown);
      }
      if (step.order) this.send(id, step.order, now);
      for (const o of step.outcomes) this.report(id, pool, a?.condition ?? f.unhealthy?.condition ?? '', o, policy);
      if (a || step.next.needsReprovision || f.unhealthy) entries.push(entryOf(step.next, f.unhealthy, step.waiting, pool, policy.name));
    }
    this.entries = entries;
    const active = new Map<string, number>();
    for (const r of this.known.values()) if (r.active) active.set(r.active.pool, (active.get(r.active.pool) ?? 0) + 1);
    this.metrics.set(active, new Set(storms.keys()), poolNames);
  }

  /** Which pools the storm guard holds now (pool -> why); records and announces each change. */
  private async guardStorms(groups: Array<{ policy: Policy; pool: string; size: number; unhealthy: number }>, poolDocs: Map<string, PoolRemediation>, now: number): Promise<Map<string, string>> {
    const storms = new Map<string, string>();
    for (const g of groups) {
      const max = g.policy.spec.maxUnhealthy;
      if (isStorm(g.unhealthy, g.size, max)) storms.set(g.pool, `storm: ${g.unhealthy} of ${g.size} nodes unhealthy at once (maxUnhealthy ${max.kind === 'count' ? max.count : `${max.percent}%`}, policy ${g.policy.name})`);
    }
    for (const pool of new Set([...groups.map((g) => g.pool), ...[...poolDocs.values()].filter((p) => p.storm).map((p) => p.pool)])) {
      const storm = storms.get(pool);
      if (Boolean(storm) === (poolDocs.get(pool)?.storm ?? false)) continue;
      // An update, not a put: an operator's pause may have landed since this pass read the pool.
      const next = await this.store.update<PoolRemediation, PoolRemediation>(poolKey(pool), (current) => {
        const value: PoolRemediation = { ...(current ?? { pool, paused: false, storm: false }), storm: Boolean(storm), stormSince: now };
        return { next: value, result: value };
      });
      poolDocs.set(pool, next);
      this.log.warn(storm ? 'remediation storm guard: holding the pool' : 'remediation storm over', { pool, ...(storm ? { reason: storm } : {}) });
      this.emit(storm ? { event: 'remediation.storm', pool, reason: storm, text: `remediation held in pool ${pool}: ${storm}` } : { event: 'remediation.stormCleared', pool, text: `remediation storm in pool ${pool} is over` });
    }
    return storms;
  }

  private async write(node: string, next: NodeRemediation): Promise<void> {
    await this.store.put(nodeKey(node), next);
    this.known.set(node, next);
  }

  /** Sends an order now if it is new, else again once resendMs has passed without an answer. */
  private send(node: string, order: Order, now: number): void {
    const last = this.sent.get(node);
    if (last && last.id === order.id && now - last.at < this.resendMs) return;
    if (this.fleet.send(node, { remediation: order })) this.sent.set(node, { id: order.id, at: now });
  }

  private report(node: string, pool: string, condition: string, o: LadderStepResult['outcomes'][number], policy: Policy): void {
    this.metrics.count(o.action, o.outcome);
    this.log.info(`remediation ${o.outcome}`, { node, pool, policy: policy.name, action: o.action, condition, message: o.message });
    const base = { node, pool, condition, ...(o.action ? { action: o.action } : {}) };
    switch (o.outcome) {
      case 'ordered':
        this.emit({ ...base, event: o.first ? 'remediation.started' : 'remediation.escalated', text: `node ${node}: ${o.message}` });
        break;
      case 'repaired':
        this.emit({ ...base, event: 'remediation.repaired', text: `node ${node} repaired: ${o.message}` });
        break;
      case 'needs-reprovision': {
        const event: NotifyEvent = { ...base, event: 'remediation.needsReprovision', time: new Date(this.now()).toISOString(), reason: o.message, text: `node ${node} needs reprovisioning: ${o.message}` };
        this.notifier.emit(event);
        const webhook = policy.spec.steps.find((s) => s.action === 'reprovision')?.webhook;
        if (webhook) this.notifier.emitTo?.(webhook, event);
        break;
      }
      case 'given-up':
        this.emit({ ...base, event: 'remediation.gaveUp', reason: o.message, text: `node ${node}: ${o.message}` });
        break;
      default:
        break;
    }
  }
}

function abandon(r: NodeRemediation, now: number, why: string): NodeRemediation {
  const { active, ...rest } = r;
  return { ...rest, history: [...r.history, { at: now, episode: active?.episode ?? r.episodes, event: 'abandoned' as const, message: why }].slice(-HISTORY_LIMIT) };
}

function entryOf(r: NodeRemediation, unhealthy: Unhealthy | undefined, waiting: string | undefined, pool: string, policy = ''): RemediationEntry {
  const a = r.active;
  return {
    node: r.node,
    pool: a?.pool ?? pool,
    policy: a?.policy ?? policy,
    condition: a?.condition ?? unhealthy?.condition ?? r.needsReprovision?.condition ?? '',
    since: a?.since ?? unhealthy?.since ?? r.needsReprovision?.since ?? 0,
    step: a ? `${a.action}${a.unit ? ` ${a.unit}` : ''}` : '',
    stepIndex: a ? a.step + 1 : 0,
    attempts: a?.attempts ?? 0,
    nextStepAt: a ? (a.deadline ?? 0) : unhealthy && !r.needsReprovision ? unhealthy.dueAt : 0,
    orderId: a?.orderId ?? '',
    result: a?.result?.state ?? '',
    message: waiting ?? '',
    needsReprovision: r.needsReprovision !== undefined,
  };
}
