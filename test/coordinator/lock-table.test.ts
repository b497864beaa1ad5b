import { describe, expect, it } from 'vitest';
import { EMPTY_GROUP, acquire, liveHolders, release, type LockGroupState } from '../../coordinator/locks/lock-table.js';

const take = (state: LockGroupState, nodeId: string, slots: number, now = 1000, ttlMs?: number) =>
  acquire(state, { nodeId, slots, now, via: 'grpc', ...(ttlMs !== undefined ? { ttlMs } : {}) });

describe('lock table', () => {
  it('grants up to the slot count and then refuses with the holders', () => {
    let s = EMPTY_GROUP;
    const a = take(s, 'a', 2);
    s = a.next;
    const b = take(s, 'b', 2);
    s = b.next;
    const c = take(s, 'c', 2);
    expect([a.decision.granted, b.decision.granted, c.decision.granted]).toEqual([true, true, false]);
    expect(c.decision.holders).toEqual(['a', 'b']);
    expect(c.decision.reason).toMatch(/group full: 2 of 2 slot\(s\) held by a, b/);
    expect(c.decision.changed).toBe(false);
  });

  it('is re-entrant: a holder asking again is granted and nothing changes', () => {
    const first = take(EMPTY_GROUP, 'a', 1);
    const again = take(first.next, 'a', 1, 5000);
    expect(again.decision).toMatchObject({ granted: true, changed: false, holders: ['a'] });
    expect(again.next.holders[0]!.since).toBe(1000);
  });

  it('release is idempotent and frees the slot', () => {
    const held = take(EMPTY_GROUP, 'a', 1).next;
    const r1 = release(held, { nodeId: 'a', now: 2000 });
    expect(r1.decision).toMatchObject({ granted: true, reason: 'released', changed: true, holders: [] });
    const r2 = release(r1.next, { nodeId: 'a', now: 3000 });
    expect(r2.decision).toMatchObject({ granted: true, reason: 'not held', changed: false });
    expect(take(r2.next, 'b', 1).decision.granted).toBe(true);
  });

  it('a node releasing what it does not hold leaves the others', () => {
    const held = take(EMPTY_GROUP, 'a', 1).next;
    const r = release(held, { nodeId: 'b', now: 2000 });
    expect(r.decision.holders).toEqual(['a']);
  });

  it('expires holders after their TTL, on the injected clock', () => {
    const held = take(EMPTY_GROUP, 'a', 1, 1000, 60_000).next;
    expect(held.holders[0]!.expiresAt).toBe(61_000);
    expect(take(held, 'b', 1, 60_999).decision.granted).toBe(false);
    const later = take(held, 'b', 1, 61_000);
    expect(later.decision).toMatchObject({ granted: true, expired: ['a'], holders: ['b'] });
    expect(liveHolders(held, 61_000)).toEqual([]);
  });

  it('renews the TTL when the holder asks again', () => {
    const held = take(EMPTY_GROUP, 'a', 1, 1000, 60_000).next;
    const renewed = take(held, 'a', 1, 50_000, 60_000);
    expect(renewed.next.holders[0]!.expiresAt).toBe(110_000);
    expect(renewed.decision.changed).toBe(true);
  });
});
