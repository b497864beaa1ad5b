// The etcd store against a real etcd: the shared conformance suite, then what
// only a replicated store must do: several replicas granting at once never
// overbook, and etcd going away and coming back.
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UnavailableError } from '../../common/errors.js';
import { silentLogger } from '../../common/log.js';
import { LockService } from '../../coordinator/locks/lock-service.js';
import type { LockGroupState } from '../../coordinator/locks/lock-table.js';
import { EtcdStore, type EtcdStoreOptions } from '../../coordinator/store/etcd.js';
import { describeWith } from '../support/components.js';
import { startEtcd, type EtcdServer } from '../support/etcd.js';
import { storeConformance } from './conformance.js';

describeWith(['etcd'], 'EtcdStore on a real etcd', () => {
  let etcd: EtcdServer;
  let n = 0;
  const stores: EtcdStore[] = [];

  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterAll(async () => {
    await etcd?.destroy();
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });

  function open(prefix: string, options: Partial<EtcdStoreOptions> = {}): EtcdStore {
    const store = new EtcdStore({ endpoints: [etcd.endpoint], prefix, ...options });
    stores.push(store);
    return store;
  }

  describe('conformance', () => {
    storeConformance(async () => {
      const prefix = `/conformance-${++n}/`;
      return { open: async () => new EtcdStore({ endpoints: [etcd.endpoint], prefix }) };
    });
  });

  it('lists page by page, in order, across page boundaries', async () => {
    const store = open(`/paged-${++n}/`, { listPageSize: 3 });
    const keys = Array.from({ length: 11 }, (_, i) => `nodes/n${String(i).padStart(2, '0')}`);
    await Promise.all([...keys, 'nodes', 'nodesx/a', 'other/z'].map((k) => store.put(k, k)));
    expect((await store.list('nodes/')).map((e) => e.key)).toEqual(keys);
    expect((await store.list('nodes')).map((e) => e.key)).toEqual(['nodes', ...keys, 'nodesx/a']);
    expect((await store.list('')).map((e) => e.value)).toEqual(['nodes', ...keys, 'nodesx/a', 'other/z']);
  });

  it('commits writes to many keys of one turn together, and a key another replica changed meanwhile does not cost the others their write', async () => {
    const prefix = `/combined-${++n}/`;
    const a = open(prefix);
    const b = open(prefix);
    await a.put('counter', { n: 1 });
    // a's cached revision of "counter" is stale now.
    await b.put('counter', { n: 10 });
    const commitsBefore = a.stats.commits;
    const keys = Array.from({ length: 150 }, (_, i) => `nodes/n${String(i).padStart(3, '0')}`);
    const results = await Promise.all([
      a.update<{ n: number }, number>('counter', (c) => ({ next: { n: (c?.n ?? 0) + 1 }, result: (c?.n ?? 0) + 1 })),
      ...keys.map((k, i) => a.update<{ i: number }, number>(k, () => ({ next: { i }, result: i }))),
    ]);
    expect(results).toEqual([11, ...keys.map((_, i) => i)]);
    expect(a.stats.commits - commitsBefore).toBe(151);
    // Everything is stored, the counter from b's value (no lost update).
    expect(await b.get('counter')).toEqual({ n: 11 });
    expect((await b.list<{ i: number }>('nodes/')).map((e) => e.value.i)).toEqual(keys.map((_, i) => i));
  });

  it('keeps every key under its prefix', async () => {
    const a = open('/tenant-a/hostpilot/');
    const b = open('/tenant-b/');
    await a.put('locks/g', { holders: [] });
    expect(await b.get('locks/g')).toBeUndefined();
    expect(await b.list('')).toEqual([]);
    expect((await a.list('')).map((e) => e.key)).toEqual(['locks/g']);
  });

  it('never overbooks under 300 concurrent acquires spread over 3 replicas', async () => {
    const prefix = `/replicas-${++n}/`;
    const slots = 5;
    const replicas = [0, 1, 2].map(
      () => new LockService(open(prefix), { groups: new Map([['workers', slots]]), allowNewGroups: false, newGroupSlots: 1 }, new Registry(), silentLogger),
    );
    const nodes = Array.from({ length: 300 }, (_, i) => `node-${i}`);
    const decisions = await Promise.all(nodes.map((node, i) => replicas[i % 3]!.acquire(node, 'workers', 'grpc')));
    const granted = nodes.filter((_, i) => decisions[i]!.granted);
    expect(granted).toHaveLength(slots);
    // Every replica saw each grant: the stored holders are exactly the granted nodes.
    const stored = await open(prefix).get<LockGroupState>('locks/workers');
    expect(stored!.holders.map((h) => h.nodeId).sort()).toEqual([...granted].sort());
    for (const replica of replicas) {
      expect((await replica.list('workers'))[0]!.holders.map((h) => h.nodeId).sort()).toEqual([...granted].sort());
    }
  });

  it('fails with UnavailableError within its deadline while etcd is down, keeps granted locks, and recovers without a restart', async () => {
    const prefix = `/faults-${++n}/`;
    const store = open(prefix, { callTimeoutMs: 300, opTimeoutMs: 1000 });
    const locks = new LockService(store, { groups: new Map([['workers', 2]]), allowNewGroups: false, newGroupSlots: 1 }, new Registry(), silentLogger);
    expect((await locks.acquire('n1', 'workers', 'grpc')).granted).toBe(true);
    expect((await locks.acquire('n2', 'workers', 'fleetlock')).granted).toBe(true);
    expect(await store.ready()).toBe(true);

    await etcd.stop('SIGKILL');
    try {
      // All at once: each fails within its deadline, none waits behind another.
      // n1 is cached as holding its slot: still not answered from the cache.
      const calls = [
        locks.acquire('n1', 'workers', 'grpc'),
        locks.acquire('n3', 'workers', 'grpc'),
        locks.release('n2', 'workers', 'grpc'),
        store.get('locks/workers'),
        store.list('locks/'),
        ...Array.from({ length: 50 }, (_, i) => locks.acquire(`burst-${i}`, 'workers', 'grpc')),
      ];
      const settled = await Promise.allSettled(calls);
      expect(settled.filter((r) => !(r.status === 'rejected' && r.reason instanceof UnavailableError))).toEqual([]);
      expect(await store.ready()).toBe(false);
    } finally {
      await etcd.start();
    }

    // The same store object comes back by itself.
    await waitFor(() => store.ready());
    expect((await locks.list('workers'))[0]!.holders.map((h) => h.nodeId)).toEqual(['n1', 'n2']);
    expect((await locks.acquire('n3', 'workers', 'grpc')).granted).toBe(false);
    expect(await locks.release('n2', 'workers', 'grpc')).toMatchObject({ reason: 'released' });
    expect((await locks.acquire('n3', 'workers', 'grpc')).granted).toBe(true);
  });

  it('reports an unreachable endpoint as unavailable, not a hang', async () => {
    const store = open('/nowhere/', { callTimeoutMs: 300, opTimeoutMs: 800 });
    // Port 1 on loopback: nothing listens there.
    const dead = new EtcdStore({ endpoints: ['http://127.0.0.1:1'], callTimeoutMs: 300, opTimeoutMs: 800 });
    stores.push(dead);
    await expect(dead.update('k', () => ({ next: 1, result: 1 }))).rejects.toBeInstanceOf(UnavailableError);
    expect(await dead.ready()).toBe(false);
    expect(await store.ready()).toBe(true);
  });
});

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  // Bounded by the test timeout; no timing is asserted.
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 100));
}
