// A three-member etcd cluster: the store fails over to the other members when
// one dies, is unavailable without a quorum, and recovers when it is back.
import { Registry } from 'prom-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { UnavailableError } from '../../common/errors.js';
import { silentLogger } from '../../common/log.js';
import { LockService } from '../../coordinator/locks/lock-service.js';
import { EtcdStore } from '../../coordinator/store/etcd.js';
import { describeWith } from '../support/components.js';
import { startEtcdCluster, type EtcdServer } from '../support/etcd.js';

describeWith(['etcd'], 'EtcdStore on a three-member etcd cluster', () => {
  let members: EtcdServer[] = [];

  beforeAll(async () => {
    members = await startEtcdCluster(3);
  });
  afterAll(async () => {
    await Promise.all(members.map((m) => m.destroy()));
  });

  it('keeps granting with one member down, refuses without a quorum, and recovers', async () => {
    // Default deadlines: long enough to ride out etcd electing a new raft leader.
    const store = new EtcdStore({ endpoints: members.map((m) => m.endpoint), prefix: '/cluster/' });
    // Short ones, to see the refusal without a quorum quickly.
    const quick = new EtcdStore({ endpoints: members.map((m) => m.endpoint), prefix: '/cluster/', callTimeoutMs: 500, opTimeoutMs: 1500 });
    const quickLocks = new LockService(quick, { groups: new Map([['workers', 3]]), allowNewGroups: false, newGroupSlots: 1 }, new Registry(), silentLogger);
    const locks = new LockService(store, { groups: new Map([['workers', 3]]), allowNewGroups: false, newGroupSlots: 1 }, new Registry(), silentLogger);
    try {
      expect((await locks.acquire('n1', 'workers', 'grpc')).granted).toBe(true);

      await members[0]!.stop('SIGKILL');
      // Whichever member each call picks first, it is answered by a live one.
      for (let i = 0; i < 10; i++) expect((await locks.acquire('n1', 'workers', 'grpc')).granted).toBe(true);
      expect((await locks.acquire('n2', 'workers', 'grpc')).granted).toBe(true);
      expect(await store.ready()).toBe(true);

      await members[1]!.stop('SIGKILL');
      await expect(quickLocks.acquire('n3', 'workers', 'grpc')).rejects.toBeInstanceOf(UnavailableError);
      expect(await quick.ready()).toBe(false);

      await Promise.all([members[0]!.start(), members[1]!.start()]);
      while (!(await store.ready())) await new Promise((resolve) => setTimeout(resolve, 100));
      expect((await locks.list('workers'))[0]!.holders.map((h) => h.nodeId)).toEqual(['n1', 'n2']);
      expect((await locks.acquire('n3', 'workers', 'grpc')).granted).toBe(true);
    } finally {
      await store.close();
      await quick.close();
    }
  });
});
