// The Store contract, run against every implementation (sqlite.test.ts,
// etcd.test.ts). `fresh()` gives each test its own empty data (a new file, a
// new etcd prefix) and an `open()` that opens another store instance on it,
// like a second coordinator process or replica.
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/log.js';
import { LockService, type LockConfig } from '../../coordinator/locks/lock-service.js';
import type { LockGroupState } from '../../coordinator/locks/lock-table.js';
import type { Store } from '../../coordinator/store/store.js';

export interface StoreFixture {
  open(): Promise<Store>;
}

export function storeConformance(fresh: () => Promise<StoreFixture>): void {
  const opened: Store[] = [];
  let fixture: StoreFixture;

  async function open(): Promise<Store> {
    const store = await fixture.open();
    opened.push(store);
    return store;
  }

  async function newStore(): Promise<Store> {
    fixture = await fresh();
    return open();
  }

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });

  describe('get / put / delete / list', () => {
    it('reads back what it wrote, as JSON values', async () => {
      const store = await newStore();
      expect(await store.get('nodes/n1')).toBeUndefined();
      const value = { id: 'n1', labels: { rack: 'r1' }, n: 3, ok: true, list: [1, 'two', null] };
      await store.put('nodes/n1', value);
      expect(await store.get('nodes/n1')).toEqual(value);
      await store.put('nodes/n1', 'replaced');
      expect(await store.get('nodes/n1')).toBe('replaced');
    });

    it('deletes, and deleting an absent key is fine', async () => {
      const store = await newStore();
      await store.put('a', 1);
      await store.delete('a');
      expect(await store.get('a')).toBeUndefined();
      await store.delete('a');
      await store.delete('never-there');
      expect(await store.list('')).toEqual([]);
    });

    it('lists the keys under a prefix in key order, nothing else', async () => {
      const store = await newStore();
      for (const k of ['locks/b', 'locks/a', 'locks/a.b', 'nodes/x', 'locksmith', 'locks/c/d', 'a']) await store.put(k, k.length);
      expect((await store.list('locks/')).map((e) => e.key)).toEqual(['locks/a', 'locks/a.b', 'locks/b', 'locks/c/d']);
      expect(await store.list('locks/a')).toEqual([
        { key: 'locks/a', value: 7 },
        { key: 'locks/a.b', value: 9 },
      ]);
      expect((await store.list('locks')).map((e) => e.key)).toEqual(['locks/a', 'locks/a.b', 'locks/b', 'locks/c/d', 'locksmith']);
      expect(await store.list('rollouts/')).toEqual([]);
      expect((await store.list('')).length).toBe(7);
    });

    it('refuses an invalid key and writes nothing', async () => {
      const store = await newStore();
      for (const bad of ['', '/abs', 'a//b', 'sp ace', 'a/\u00e9']) {
        await expect(store.put(bad, 1)).rejects.toThrow(/invalid key/);
        await expect(store.update(bad, () => ({ next: 1, result: null }))).rejects.toThrow(/invalid key/);
      }
      expect(await store.list('')).toEqual([]);
    });

    it('keeps data across close and reopen', async () => {
      const first = await newStore();
      await first.put('rollouts/r1', { phase: 'bucket-2' });
      await first.close();
      const second = await open();
      expect(await second.get('rollouts/r1')).toEqual({ phase: 'bucket-2' });
    });
  });

  describe('update', () => {
    it('creates an absent key', async () => {
      const store = await newStore();
      const seen: unknown[] = [];
      const result = await store.update<number, string>('counter', (current) => {
        seen.push(current);
        return { next: 1, result: 'created' };
      });
      expect(result).toBe('created');
      expect(seen.at(-1)).toBeUndefined();
      expect(await store.get('counter')).toBe(1);
    });

    it('modifies from the current value', async () => {
      const store = await newStore();
      await store.put('doc', { n: 41, tag: 'x' });
      const result = await store.update<{ n: number; tag: string }, number>('doc', (current) => ({ next: { ...current!, n: current!.n + 1 }, result: current!.n }));
      expect(result).toBe(41);
      expect(await store.get('doc')).toEqual({ n: 42, tag: 'x' });
    });

    it('deletes when next is null, also when the key is absent', async () => {
      const store = await newStore();
      await store.put('doc', 5);
      expect(await store.update<number, number | undefined>('doc', (current) => ({ next: null, result: current }))).toBe(5);
      expect(await store.get('doc')).toBeUndefined();
      expect(await store.update<number, number | undefined>('doc', (current) => ({ next: null, result: current }))).toBeUndefined();
      expect(await store.list('')).toEqual([]);
    });

    it('leaves the key alone when next is undefined', async () => {
      const store = await newStore();
      await store.put('doc', { v: 1 });
      expect(await store.update<{ v: number }, number>('doc', (current) => ({ result: current!.v }))).toBe(1);
      expect(await store.get('doc')).toEqual({ v: 1 });
      expect(await store.update<unknown, string>('absent', () => ({ result: 'nothing' }))).toBe('nothing');
      expect(await store.get('absent')).toBeUndefined();
    });

    it('sees a write made by another instance (no stale read)', async () => {
      const a = await newStore();
      const b = await open();
      await a.update<number, void>('k', () => ({ next: 1, result: undefined }));
      await b.put('k', 7);
      expect(await a.update<number, number | undefined>('k', (current) => ({ result: current }))).toBe(7);
      await b.delete('k');
      expect(await a.update<number, number | undefined>('k', (current) => ({ result: current }))).toBeUndefined();
    });

    it('propagates an error thrown by fn and changes nothing', async () => {
      const store = await newStore();
      await store.put('doc', 1);
      await expect(
        store.update<number, void>('doc', () => {
          throw new Error('refused by fn');
        }),
      ).rejects.toThrow('refused by fn');
      expect(await store.get('doc')).toBe(1);
    });

    it('applies concurrent updates on one instance one after another; a throwing fn fails alone', async () => {
      const store = await newStore();
      const calls = Array.from({ length: 60 }, (_, i) =>
        store.update<number, number>('counter', (current) => {
          if (i % 10 === 3) throw new Error(`refused ${i}`);
          return { next: (current ?? 0) + 1, result: current ?? 0 };
        }),
      );
      const settled = await Promise.allSettled(calls);
      const seen = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      const refused = settled.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
      expect(refused.sort()).toEqual(['refused 13', 'refused 23', 'refused 3', 'refused 33', 'refused 43', 'refused 53']);
      // Each successful update saw a distinct value, as if they had run one at a time.
      expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 54 }, (_, i) => i));
      expect(await store.get('counter')).toBe(54);
    });

    it('never loses an increment across concurrent updates from several instances', async () => {
      const stores = [await newStore(), await open(), await open()];
      const perStore = 40;
      await Promise.all(
        stores.flatMap((store) =>
          Array.from({ length: perStore }, () => store.update<number, void>('counter', (current) => ({ next: (current ?? 0) + 1, result: undefined }))),
        ),
      );
      expect(await stores[0]!.get('counter')).toBe(stores.length * perStore);
    });
  });

  describe('LockService over the store', () => {
    const config = (slots: number): LockConfig => ({ groups: new Map([['workers', slots]]), allowNewGroups: false, newGroupSlots: 1 });
    const service = (store: Store, slots: number) => new LockService(store, config(slots), new Registry(), silentLogger);

    it('grants up to the slot count, is re-entrant, and releases idempotently', async () => {
      const locks = service(await newStore(), 2);
      expect((await locks.acquire('n1', 'workers', 'grpc')).granted).toBe(true);
      expect((await locks.acquire('n2', 'workers', 'fleetlock')).granted).toBe(true);
      const denied = await locks.acquire('n3', 'workers', 'grpc');
      expect(denied.granted).toBe(false);
      expect(denied.holders).toEqual(['n1', 'n2']);
      const again = await locks.acquire('n1', 'workers', 'grpc');
      expect(again).toMatchObject({ granted: true, changed: false });

      expect(await locks.release('n3', 'workers', 'grpc')).toMatchObject({ granted: true, reason: 'not held', changed: false });
      expect(await locks.release('n1', 'workers', 'grpc')).toMatchObject({ granted: true, reason: 'released', holders: ['n2'] });
      expect(await locks.release('n1', 'workers', 'grpc')).toMatchObject({ granted: true, reason: 'not held' });
      expect((await locks.acquire('n3', 'workers', 'grpc')).granted).toBe(true);
      expect((await locks.list('workers'))[0]!.holders.map((h) => h.nodeId)).toEqual(['n2', 'n3']);
    });

    it('refuses an unknown group and a bad node id, writing nothing', async () => {
      const store = await newStore();
      const locks = service(store, 1);
      await expect(locks.acquire('n1', 'other', 'grpc')).rejects.toMatchObject({ kind: 'not_found' });
      await expect(locks.acquire('bad id', 'workers', 'grpc')).rejects.toMatchObject({ kind: 'invalid_argument' });
      expect(await store.list('')).toEqual([]);
    });

    it('never overbooks under 200 concurrent acquires', async () => {
      const store = await newStore();
      const locks = service(store, 3);
      const nodes = Array.from({ length: 200 }, (_, i) => `node-${i}`);
      const decisions = await Promise.all(nodes.map((n) => locks.acquire(n, 'workers', 'grpc')));
      const granted = nodes.filter((_, i) => decisions[i]!.granted);
      expect(granted).toHaveLength(3);
      const stored = await store.get<LockGroupState>('locks/workers');
      expect(stored!.holders.map((h) => h.nodeId).sort()).toEqual([...granted].sort());
    });

    it('shares one budget between instances on the same data', async () => {
      const a = service(await newStore(), 1);
      const b = service(await open(), 1);
      expect((await a.acquire('n1', 'workers', 'grpc')).granted).toBe(true);
      expect((await b.acquire('n2', 'workers', 'fleetlock')).granted).toBe(false);
      expect((await b.acquire('n1', 'workers', 'fleetlock')).granted).toBe(true);
      await b.release('n1', 'workers', 'fleetlock');
      expect((await a.acquire('n2', 'workers', 'grpc')).granted).toBe(true);
    });
  });
}
