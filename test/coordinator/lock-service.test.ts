import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/log.js';
import { LockService, type LockConfig } from '../../coordinator/locks/lock-service.js';
import { SqliteStore } from '../../coordinator/store/sqlite.js';
import { makeTempDir } from '../support/tmp.js';

describe('LockService on SQLite', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let store: SqliteStore;
  let now = 1_000_000;
  const service = (config: Partial<LockConfig> = {}) =>
    new LockService(store, { groups: new Map([['default', 1], ['workers', 3]]), allowNewGroups: false, newGroupSlots: 1, ...config }, new Registry(), silentLogger, () => now);

  beforeEach(() => {
    tmp = makeTempDir();
    store = new SqliteStore(`${tmp.dir}/c.db`);
  });
  afterEach(async () => {
    await store.close();
    tmp.remove();
  });

  it('never has more holders than slots under 200 concurrent acquires', async () => {
    const locks = service();
    const decisions = await Promise.all(Array.from({ length: 200 }, (_, i) => locks.acquire(`node-${i}`, 'workers', 'grpc')));
    expect(decisions.filter((d) => d.granted)).toHaveLength(3);
    const [group] = await locks.list('workers');
    expect(group!.holders).toHaveLength(3);
  });

  it('refuses an unknown group with not_found and changes nothing', async () => {
    const locks = service();
    await expect(locks.acquire('a', 'nope', 'grpc')).rejects.toMatchObject({ kind: 'not_found' });
    expect(await store.list('locks/')).toEqual([]);
  });

  it('creates groups on first use with --allow-new-groups', async () => {
    const locks = service({ allowNewGroups: true, newGroupSlots: 2 });
    expect((await locks.acquire('a', 'new-group', 'fleetlock')).granted).toBe(true);
    expect((await locks.list()).map((g) => [g.name, g.slots, g.holders.length])).toContainEqual(['new-group', 2, 1]);
  });

  it.each([
    ['', 'default', /node_id: must not be empty/],
    ['-bad', 'default', /node_id/],
    ['a b', 'default', /node_id/],
    ['a'.repeat(254), 'default', /node_id/],
    ['ok', '', /group: must not be empty/],
    ['ok', 'has space', /group/],
    ['ok', 'g'.repeat(64), /group/],
  ])('refuses node %j group %j as invalid_argument, on acquire and release alike', async (node, group, message) => {
    const locks = service();
    await expect(locks.acquire(node, group, 'grpc')).rejects.toMatchObject({ kind: 'invalid_argument', message: expect.stringMatching(message) });
    await expect(locks.release(node, group, 'grpc')).rejects.toMatchObject({ kind: 'invalid_argument' });
    expect(await store.list('locks/')).toEqual([]);
  });

  it('force-releases another node and survives a reopen of the file', async () => {
    const locks = service();
    await locks.acquire('a', 'default', 'grpc');
    await store.close();
    store = new SqliteStore(`${tmp.dir}/c.db`);
    const reopened = service();
    expect((await reopened.acquire('b', 'default', 'grpc')).granted).toBe(false);
    expect((await reopened.forceRelease('a', 'default', 'grpc')).reason).toBe('released');
    expect((await reopened.acquire('b', 'default', 'grpc')).granted).toBe(true);
  });

  it('lets an expired slot go on the injected clock', async () => {
    const locks = service({ ttlMs: 60_000 });
    await locks.acquire('a', 'default', 'grpc');
    expect((await locks.acquire('b', 'default', 'grpc')).granted).toBe(false);
    now += 60_000;
    expect(await locks.acquire('b', 'default', 'grpc')).toMatchObject({ granted: true, expired: ['a'] });
  });
});
