// Reboot locks as the APIs see them: validates names, resolves the group's
// slot count, applies the pure lock table through the store, keeps metrics.
// gRPC, FleetLock HTTP and the rollout controller all come through here, so
// they share one budget per group.
import { Counter, Gauge, type Registry } from 'prom-client';
import { NotFoundError } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import { validateGroupName, validateNodeId } from '../../common/names.js';
import { nullNotifier, type Notifier } from '../notify/event.js';
import type { Store } from '../store/store.js';
import { EMPTY_GROUP, acquire, liveHolders, release, type LockApi, type LockDecision, type LockGroupState, type LockHolder } from './lock-table.js';

export interface LockConfig {
  /** Configured groups and their slot counts. */
  groups: ReadonlyMap<string, number>;
  /** Accept any valid group name, with `newGroupSlots` slots. */
  allowNewGroups: boolean;
  newGroupSlots: number;
  /** Slots expire after this long; undefined: never (a node that never comes back keeps its slot). */
  ttlMs?: number;
}

export interface LockGroupView {
  name: string;
  slots: number;
  holders: LockHolder[];
}

export type LockOp = 'acquire' | 'release' | 'force_release';

/** Called when a group has a slot free again (a release, or an expired holder). */
export type SlotFreedListener = (group: string) => void;

export class LockService {
  private readonly slotsGauge: Gauge<'group'>;
  private readonly holdersGauge: Gauge<'group'>;
  private readonly requests: Counter<'api' | 'op' | 'result'>;
  private readonly freed = new Set<SlotFreedListener>();

  constructor(
    private readonly store: Store,
    private readonly config: LockConfig,
    registry: Registry,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
    private readonly notifier: Notifier = nullNotifier,
  ) {
    this.slotsGauge = new Gauge({ name: 'hostpilot_lock_slots', help: 'Reboot-lock slots per group.', labelNames: ['group'], registers: [registry] });
    this.holdersGauge = new Gauge({ name: 'hostpilot_lock_holders', help: 'Nodes holding a reboot-lock slot, per group.', labelNames: ['group'], registers: [registry] });
    this.requests = new Counter({
      name: 'hostpilot_lock_requests_total',
      help: 'Reboot-lock requests by API, operation and result.',
      labelNames: ['api', 'op', 'result'],
      registers: [registry],
    });
    for (const [group, slots] of config.groups) {
      this.slotsGauge.set({ group }, slots);
      this.holdersGauge.set({ group }, 0);
    }
    for (const api of ['grpc', 'fleetlock', 'rollout'] as const) {
      for (const op of ['acquire', 'release', 'force_release'] as const) {
        for (const result of ['granted', 'denied', 'error']) this.requests.inc({ api, op, result }, 0);
      }
    }
  }

  /** Loads holder counts from the store so the gauges are right after a restart. */
  async init(): Promise<void> {
    for (const group of this.config.groups.keys()) {
      this.holdersGauge.set({ group }, liveHolders(await this.store.get<LockGroupState>(key(group)), this.now()).length);
    }
  }

  /** The rollout controller steps at once when a slot comes free instead of at its next tick. */
  onSlotFreed(listener: SlotFreedListener): () => void {
    this.freed.add(listener);
    return () => this.freed.delete(listener);
  }

  /** The slot count of a group, or NotFoundError when it is not configured. */
  slotsOf(group: string): number {
    const slots = this.config.groups.get(group);
    if (slots !== undefined) return slots;
    if (this.config.allowNewGroups) return this.config.newGroupSlots;
    throw new NotFoundError(`unknown group ${JSON.stringify(group)} (configured: ${[...this.config.groups.keys()].join(', ')})`);
  }

  acquire(nodeId: string, group: string, api: LockApi): Promise<LockDecision> {
    return this.track(api, 'acquire', async () => {
      validateNodeId(nodeId);
      validateGroupName(group);
      const slots = this.slotsOf(group);
      const now = this.now();
      const ttl = this.config.ttlMs !== undefined ? { ttlMs: this.config.ttlMs } : {};
      const decision = await this.store.update<LockGroupState, LockDecision>(key(group), (current) => {
        const { next, decision } = acquire(current ?? EMPTY_GROUP, { nodeId, slots, now, via: api, ...ttl });
        return { next: decision.changed ? next : undefined, result: decision };
      });
      return this.observe(group, decision);
    });
  }

  release(nodeId: string, group: string, api: LockApi): Promise<LockDecision> {
    return this.track(api, 'release', () => this.doRelease(nodeId, group));
  }

  /** An operator frees the slot of a node that will not release it itself. */
  forceRelease(nodeId: string, group: string, api: LockApi): Promise<LockDecision> {
    return this.track(api, 'force_release', async () => {
      const decision = await this.doRelease(nodeId, group);
      const held = decision.reason === 'released';
      this.log.warn('lock force-released', { node: nodeId, group, held });
      if (held) this.notifier.emit({ event: 'lock.forceReleased', time: new Date(this.now()).toISOString(), node: nodeId, group, text: `reboot lock of ${nodeId} in group ${group} released by an operator` });
      return decision;
    });
  }

  async list(group?: string): Promise<LockGroupView[]> {
    const now = this.now();
    if (group !== undefined) {
      validateGroupName(group);
      const slots = this.slotsOf(group);
      return [{ name: group, slots, holders: liveHolders(await this.store.get<LockGroupState>(key(group)), now) }];
    }
    const views = new Map<string, LockGroupView>();
    for (const [name, slots] of this.config.groups) views.set(name, { name, slots, holders: [] });
    for (const { key: k, value } of await this.store.list<LockGroupState>('locks/')) {
      const name = k.slice('locks/'.length);
      const slots = this.config.groups.get(name) ?? this.config.newGroupSlots;
      views.set(name, { name, slots, holders: liveHolders(value, now) });
    }
    return [...views.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  private async doRelease(nodeId: string, group: string): Promise<LockDecision> {
    validateNodeId(nodeId);
    validateGroupName(group);
    this.slotsOf(group);
    const now = this.now();
    const decision = await this.store.update<LockGroupState, LockDecision>(key(group), (current) => {
      const { next, decision } = release(current ?? EMPTY_GROUP, { nodeId, now });
      return { next: decision.changed ? next : undefined, result: decision };
    });
    return this.observe(group, decision);
  }

  private observe(group: string, decision: LockDecision): LockDecision {
    this.holdersGauge.set({ group }, decision.holders.length);
    if (!this.config.groups.has(group)) this.slotsGauge.set({ group }, this.slotsOf(group));
    for (const nodeId of decision.expired) this.log.warn('lock slot expired', { node: nodeId, group });
    if (decision.expired.length > 0 || decision.reason === 'released') for (const listener of this.freed) listener(group);
    return decision;
  }

  private async track(api: LockApi, op: LockOp, fn: () => Promise<LockDecision>): Promise<LockDecision> {
    try {
      const decision = await fn();
      this.requests.inc({ api, op, result: decision.granted ? 'granted' : 'denied' });
      return decision;
    } catch (err) {
      this.requests.inc({ api, op, result: 'error' });
      throw err;
    }
  }
}

function key(group: string): string {
  return `locks/${group}`;
}
