import { describe, expect, it } from 'vitest';
import { SingleLeader } from '../../coordinator/leader/single.js';
import { parseLeaderLease } from '../../coordinator/leader/open.js';

describe('SingleLeader', () => {
  it('leads once it campaigns, until it resigns', async () => {
    const leader = new SingleLeader('c1');
    const changes: boolean[] = [];
    leader.onChange((v) => changes.push(v));
    expect(leader.isLeader).toBe(false);
    await leader.campaign();
    await leader.campaign();
    expect(leader.isLeader).toBe(true);
    expect(await leader.leader()).toBe('c1');
    await leader.close();
    expect(leader.isLeader).toBe(false);
    expect(changes).toEqual([true, false]);
  });
});

describe('parseLeaderLease', () => {
  it('takes whole seconds', () => {
    expect(parseLeaderLease('10s')).toBe(10);
    expect(parseLeaderLease('1m')).toBe(60);
  });
  it.each(['1s', '2500ms', '10m', 'soon', ''])('refuses %j', (text) => {
    expect(() => parseLeaderLease(text)).toThrow(expect.objectContaining({ field: '--leader-lease' }));
  });
});
