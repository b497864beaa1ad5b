// Reboot locks as the APIs see them: validates names, resolves the group's
// slot count, applies the pure lock table through the store, keeps metrics.
// gRPC, FleetLock HTTP and the rollout controller all come through here, so
// they share one budget per group.
import { Counter, Gauge, type Registry } from 'prom-client';
import { NotFoundError, PermissionDeniedError } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import { validateGroupName, validateNodeId } from '../../common/names.js';
import { nullNotifier, type Notifier } from '../notify/event.js';
import type { Store } from '../store/store.js';
import { EMPTY_GROUP, acquire, checkLockGroupState, heldWithIdentity, liveHolders, release, type LockApi, type LockDecision, type LockGroupState, type LockHolder } from './lock-table.js';

export interface LockConfig {
  /** Configured groups and their slot counts. */
  groups: ReadonlyMap<string, number>;
  /** Accept any valid group name, with `newGroupSlots` slots. */
  allowNewGroups: boolean;
  newGroupSlots: number;
  /** At most this many groups created on first use exist at once (--max-groups); configured groups do not count. */
  maxGroups?: number;
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

export interface LockCaller {
  /** A FleetLock client without a certificate (--fleetlock-anonymous): it may not touch a slot taken with an identity. */
  anonymous?: boolean;
}

function refuseAnonymous(state: LockGroupState | undefined, nodeId: string, now: number, caller: LockCaller): void {
  if (caller.anonymous && heldWithIdentity(state, nodeId, now)) {
    throw new PermissionDeniedError(`node ${JSON.stringify(nodeId)} holds its slot with a certificate: a client without one may not act for it`);
  }
}

export const DEFAULT_MAX_GROUPS = 1000;

/** A group declared as a LockGroup resource: it overrides a --group flag of the same name. */
export interface DeclaredGroup {
  slots: number;
  ttlMs?: number;
}

export class LockService {
  /**
   * Groups created on first use (--allow-new-groups) that have holders now.
   * Such a group exists while it is held: when its last slot is released its
   * key is deleted and its metric series removed, so a client inventing group
   * names cannot grow the store, the memory or /metrics without bound; at most
   * maxGroups of them exist at once. With several replicas (etcd) each counts
   * the groups it has seen, so the cap holds per replica.
   */
  private readonly dynamic = new Set<string>();
  private readonly slotsGauge: Gauge<'group'>;
  private readonly holdersGauge: Gauge<'group'>;
  private readonly requests: Counter<'api' | 'op' | 'result'>;
  private readonly freed = new Set<SlotFreedListener>();
  private declared: ReadonlyMap<string, DeclaredGroup> = new Map();

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

  /**
   * Checks every stored group (a value of the wrong shape fails the start,
   * naming its key), loads holder counts so the gauges are right after a
   * restart, and deletes dynamic groups nobody holds any more.
   */
  async init(): Promise<void> {
    const now = this.now();
    for (const { key: k, value } of await this.store.list<unknown>('locks/')) {
      const group = k.slice('locks/'.length);
      const holders = liveHolders(checkLockGroupState(value, k), now).length;
      if (this.config.groups.has(group)) {
        this.holdersGauge.set({ group }, holders);
      } else if (holders === 0) {
        await this.store.update<LockGroupState, void>(k, (stored) => ({ next: stored && liveHolders(checkLockGroupState(stored, k), now).length === 0 ? null : undefined, result: undefined }));
      } else {
        this.dynamic.add(group);
        this.slotsGauge.set({ group }, this.config.newGroupSlots);
        this.holdersGauge.set({ group }, holders);
      }
    }
  }

  /** The rollout controller steps at once when a slot comes free instead of at its next tick. */
  onSlotFreed(listener: SlotFreedListener): () => void {
    this.freed.add(listener);
    return () => this.freed.delete(listener);
  }

  /** LockGroup resources (coordinator/resources): flags are the defaults they override. */
  setDeclaredGroups(groups: ReadonlyMap<string, DeclaredGroup>): void {
    for (const name of this.declared.keys()) if (!groups.has(name) && !this.config.groups.has(name)) this.slotsGauge.remove({ group: name });
    this.declared = groups;
    for (const [group, { slots }] of groups) this.slotsGauge.set({ group }, slots);
    for (const [group, slots] of this.config.groups) if (!groups.has(group)) this.slotsGauge.set({ group }, slots);
  }

  /** The groups --group flags configure (what `get lockgroups` shows where no resource overrides them). */
  flagGroups(): ReadonlyMap<string, number> {
    return this.config.groups;
  }

  /** The slot count of a group, or NotFoundError when it is not configured. */
  slotsOf(group: string): number {
    const slots = this.declared.get(group)?.slots ?? this.config.groups.get(group);
    if (slots !== undefined) return slots;
    if (this.config.allowNewGroups) return this.config.newGroupSlots;
    throw new NotFoundError(`unknown group ${JSON.stringify(group)} (configured: ${[...new Set([...this.config.groups.keys(), ...this.declared.keys()])].join(', ')})`);
  }

  /** Groups created on first use that exist now (held by someone). */
  get dynamicGroups(): number {
    return this.dynamic.size;
  }

  private isDynamic(group: string): boolean {
    return !this.config.groups.has(group) && !this.declared.has(group);
  }

  /**
   * A new dynamic group only while fewer than --max-groups exist. Its place is
   * taken before the store is written, so concurrent first uses cannot overshoot;
   * returns true when this call took a new place (to give back if it fails).
   */
  private reserve(group: string): boolean {
    if (!this.isDynamic(group) || this.dynamic.has(group)) return false;
    const max = this.config.maxGroups ?? DEFAULT_MAX_GROUPS;
    if (this.dynamic.size >= max) {
      throw new NotFoundError(`unknown group ${JSON.stringify(group)}: not created, ${this.dynamic.size} groups created on first use exist already (--max-groups ${max})`);
    }
    this.dynamic.add(group);
    return true;
  }

  acquire(nodeId: string, group: string, api: LockApi, caller: LockCaller = {}): Promise<LockDecision> {
    return this.track(api, 'acquire', async () => {
      validateNodeId(nodeId);
      validateGroupName(group);
      const slots = this.slotsOf(group);
      const reserved = this.reserve(group);
      const now = this.now();
      const ttlMs = this.declared.get(group)?.ttlMs ?? this.config.ttlMs;
      const ttl = ttlMs !== undefined ? { ttlMs } : {};
      try {
        const decision = await this.store.update<LockGroupState, LockDecision>(key(group), (stored) => {
          const current = stored === undefined ? undefined : checkLockGroupState(stored, key(group));
          refuseAnonymous(current, nodeId, now, caller);
          const { next, decision } = acquire(current ?? EMPTY_GROUP, { nodeId, slots, now, via: api, ...ttl, ...(caller.anonymous ? { anonymous: true } : {}) });
          return { next: decision.changed ? next : undefined, result: decision };
        });
        return this.observe(group, decision);
      } catch (err) {
        if (reserved) this.dynamic.delete(group);
        throw err;
      }
    });
  }

  release(nodeId: string, group: string, api: LockApi, caller: LockCaller = {}): Promise<LockDecision> {
    return this.track(api, 'release', () => this.doRelease(nodeId, group, caller));
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
      return [{ name: group, slots, holders: liveHolders(await this.read(group), now) }];
    }
    const views = new Map<string, LockGroupView>();
    for (const [name, slots] of this.config.groups) views.set(name, { name, slots, holders: [] });
    for (const [name, { slots }] of this.declared) views.set(name, { name, slots, holders: [] });
    for (const { key: k, value } of await this.store.list<LockGroupState>('locks/')) {
      const name = k.slice('locks/'.length);
      const slots = this.declared.get(name)?.slots ?? this.config.groups.get(name) ?? this.config.newGroupSlots;
      views.set(name, { name, slots, holders: liveHolders(checkLockGroupState(value, k), now) });
    }
    return [...views.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** A group's stored state, checked: a value of the wrong shape is an error naming its key. */
  private async read(group: string): Promise<LockGroupState | undefined> {
    const value = await this.store.get<unknown>(key(group));
    return value === undefined ? undefined : checkLockGroupState(value, key(group));
  }

  private async doRelease(nodeId: string, group: string, caller: LockCaller = {}): Promise<LockDecision> {
    validateNodeId(nodeId);
    validateGroupName(group);
    this.slotsOf(group);
    const now = this.now();
    const decision = await this.store.update<LockGroupState, LockDecision>(key(group), (stored) => {
      const current = stored === undefined ? undefined : checkLockGroupState(stored, key(group));
      refuseAnonymous(current, nodeId, now, caller);
      const { next, decision } = release(current ?? EMPTY_GROUP, { nodeId, now });
      // A dynamic group nobody holds is deleted: it is created again on next use.
      const gone = this.isDynamic(group) && next.holders.length === 0;
      return { next: decision.changed ? (gone ? null : next) : undefined, result: decision };
    });
    return this.observe(group, decision);
  }

  private observe(group: string, decision: LockDecision): LockDecision {
    if (!this.isDynamic(group)) {
      this.holdersGauge.set({ group }, decision.holders.length);
    } else if (decision.holders.length > 0) {
      this.dynamic.add(group);
      this.holdersGauge.set({ group }, decision.holders.length);
      this.slotsGauge.set({ group }, this.slotsOf(group));
    } else {
      // Its series go with it: /metrics does not keep every name ever used.
      this.dynamic.delete(group);
      this.holdersGauge.remove({ group });
      this.slotsGauge.remove({ group });
    }
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
