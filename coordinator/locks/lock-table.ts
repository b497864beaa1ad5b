// The reboot-lock semaphore of one group, as pure functions over its stored
// state. The store applies them atomically (Store.update), so the invariant
// "never more holders than slots" holds across requests, APIs and replicas.
import { isNodeId } from '../../common/names.js';
import { StoreValueError } from '../store/store.js';

export type LockApi = 'grpc' | 'fleetlock' | 'rollout';

export interface LockHolder {
  nodeId: string;
  /** Unix ms when the slot was taken. */
  since: number;
  /** Unix ms after which the slot is free again; absent: never (the default). */
  expiresAt?: number;
  via: LockApi;
  /** Taken by a FleetLock client without a certificate (--fleetlock-anonymous): only such a slot may be released anonymously. */
  anonymous?: true;
}

export interface LockGroupState {
  holders: LockHolder[];
}

export interface LockDecision {
  granted: boolean;
  holders: string[];
  reason: string;
  /** False when the call found the state as it wanted it (re-entrant acquire, release of nothing). */
  changed: boolean;
  /** Holders whose TTL ran out and were dropped by this call. */
  expired: string[];
}

export const EMPTY_GROUP: LockGroupState = { holders: [] };

const APIS: readonly string[] = ['grpc', 'fleetlock', 'rollout'] satisfies LockApi[];

/**
 * Checks a stored lock group's shape: a value that is not one (say
 * {"holders":"x"}) is a StoreValueError naming the key, never read as a full
 * or empty group.
 */
export function checkLockGroupState(value: unknown, key: string): LockGroupState {
  const bad = (why: string) => new StoreValueError(key, why);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('is not an object with a holders list');
  const holders = (value as { holders?: unknown }).holders;
  if (!Array.isArray(holders)) throw bad('holders is not a list');
  holders.forEach((h: unknown, i) => {
    if (typeof h !== 'object' || h === null) throw bad(`holders[${i}] is not an object`);
    const holder = h as Record<string, unknown>;
    if (!isNodeId(holder.nodeId)) throw bad(`holders[${i}].nodeId is not a node id`);
    if (typeof holder.since !== 'number') throw bad(`holders[${i}].since is not a number`);
    if (holder.expiresAt !== undefined && typeof holder.expiresAt !== 'number') throw bad(`holders[${i}].expiresAt is not a number`);
    if (typeof holder.via !== 'string' || !APIS.includes(holder.via)) throw bad(`holders[${i}].via is not one of ${APIS.join(', ')}`);
    if (holder.anonymous !== undefined && holder.anonymous !== true) throw bad(`holders[${i}].anonymous is not true`);
  });
  return value as LockGroupState;
}

function live(state: LockGroupState, now: number): { holders: LockHolder[]; expired: string[] } {
  const holders: LockHolder[] = [];
  const expired: string[] = [];
  for (const h of state.holders) {
    if (h.expiresAt !== undefined && h.expiresAt <= now) expired.push(h.nodeId);
    else holders.push(h);
  }
  return { holders, expired };
}

export interface AcquireInput {
  nodeId: string;
  slots: number;
  now: number;
  ttlMs?: number;
  via: LockApi;
  /** The caller showed no certificate (see LockHolder.anonymous). */
  anonymous?: boolean;
}

export function acquire(state: LockGroupState, input: AcquireInput): { next: LockGroupState; decision: LockDecision } {
  const { holders, expired } = live(state, input.now);
  const ids = () => holders.map((h) => h.nodeId);
  const own = holders.find((h) => h.nodeId === input.nodeId);
  if (own) {
    // Re-entrant: the node asks again (it restarted, or retried after a lost reply).
    // The TTL is renewed: the node is alive and still working through its reboot.
    if (input.ttlMs !== undefined) own.expiresAt = input.now + input.ttlMs;
    return {
      next: { holders },
      decision: { granted: true, holders: ids(), reason: 'already held by this node', changed: expired.length > 0 || input.ttlMs !== undefined, expired },
    };
  }
  if (holders.length >= input.slots) {
    return {
      next: { holders },
      decision: {
        granted: false,
        holders: ids(),
        reason: `group full: ${holders.length} of ${input.slots} slot(s) held by ${ids().join(', ')}`,
        changed: expired.length > 0,
        expired,
      },
    };
  }
  holders.push({
    nodeId: input.nodeId,
    since: input.now,
    via: input.via,
    ...(input.ttlMs !== undefined ? { expiresAt: input.now + input.ttlMs } : {}),
    ...(input.anonymous ? { anonymous: true as const } : {}),
  });
  return { next: { holders }, decision: { granted: true, holders: ids(), reason: 'granted', changed: true, expired } };
}

export function release(state: LockGroupState, input: { nodeId: string; now: number }): { next: LockGroupState; decision: LockDecision } {
  const { holders, expired } = live(state, input.now);
  const remaining = holders.filter((h) => h.nodeId !== input.nodeId);
  const held = remaining.length !== holders.length;
  return {
    next: { holders: remaining },
    decision: {
      granted: true,
      holders: remaining.map((h) => h.nodeId),
      reason: held ? 'released' : 'not held',
      changed: held || expired.length > 0,
      expired,
    },
  };
}

/** The holders that are still live at `now`. */
export function liveHolders(state: LockGroupState | undefined, now: number): LockHolder[] {
  return state ? live(state, now).holders : [];
}

/** True when `nodeId` holds a live slot taken with an identity (a certificate, or a rollout): an anonymous caller may not touch it. */
export function heldWithIdentity(state: LockGroupState | undefined, nodeId: string, now: number): boolean {
  return liveHolders(state, now).some((h) => h.nodeId === nodeId && !h.anonymous);
}
