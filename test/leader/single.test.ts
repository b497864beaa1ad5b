import { describe, expect, it } from 'vitest';
import { SingleLeader } from '../../coordinator/leader/single.js';
import { openLeaderElection, parseLeaderLease } from '../../coordinator/leader/open.js';
import { EtcdLeaderElection } from '../../coordinator/leader/etcd-election.js';
import { silentLogger } from '../../common/log.js';
import { parseStoreSpec } from '../../coordinator/store/open.js';

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

describe('openLeaderElection', () => {
  it('picks the election that fits the store', async () => {
    const single = await openLeaderElection(parseStoreSpec('sqlite:/tmp/x.db'), { leaseTtlSeconds: 10, log: silentLogger, id: 'c1' });
    expect(single).toBeInstanceOf(SingleLeader);
    expect(single.id).toBe('c1');
    const etcd = await openLeaderElection(parseStoreSpec('etcd:http://127.0.0.1:2379'), { leaseTtlSeconds: 10, log: silentLogger });
    try {
      expect(etcd).toBeInstanceOf(EtcdLeaderElection);
      expect(etcd.isLeader).toBe(false);
    } finally {
      await etcd.close();
    }
  });

  it('refuses an unreadable TLS file naming the flag', async () => {
    const spec = parseStoreSpec('etcd:https://127.0.0.1:2379', { ca: '/nonexistent/ca.pem' });
    await expect(openLeaderElection(spec, { leaseTtlSeconds: 10, log: silentLogger })).rejects.toMatchObject({ field: '--etcd-ca' });
  });
});
