// Two coordinators (replicas) on one real etcd, seen from Zincati's side:
// FleetLock on either replica shares one semaphore; with etcd down both answer
// 503 store_unavailable and /readyz is not ready; etcd back, both recover
// without a restart and no granted slot is lost.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWith } from '../support/components.js';
import { withCoordinator } from '../support/coordinator.js';
import { startEtcd, type EtcdServer } from '../support/etcd.js';

type Coordinator = Awaited<ReturnType<typeof withCoordinator>>;

describeWith(['etcd'], 'coordinator replicas on etcd', () => {
  let etcd: EtcdServer;
  let a: Coordinator;
  let b: Coordinator;

  beforeAll(async () => {
    etcd = await startEtcd();
    const config = { store: `etcd:${etcd.endpoint}`, groups: new Map([['default', 1], ['workers', 2]]) };
    a = await withCoordinator(config);
    b = await withCoordinator(config);
  });
  afterAll(async () => {
    await a?.cleanup();
    await b?.cleanup();
    await etcd?.destroy();
  });

  const post = (c: Coordinator, path: string, id: string, group = 'default') =>
    fetch(`http://127.0.0.1:${c.httpPort}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'fleet-lock-protocol': 'true' },
      body: JSON.stringify({ client_params: { id, group } }),
    });
  const readyz = async (c: Coordinator) => (await fetch(`http://127.0.0.1:${c.httpPort}/readyz`)).status;

  it('shares one semaphore between replicas', async () => {
    expect((await post(a, '/v1/pre-reboot', 'z1')).status).toBe(200);
    const full = await post(b, '/v1/pre-reboot', 'z2');
    expect(full.status).toBe(409);
    expect(await full.json()).toMatchObject({ kind: 'failed_lock_semaphore_full' });
    expect((await post(b, '/v1/pre-reboot', 'z1')).status).toBe(200);
    expect((await post(b, '/v1/steady-state', 'z1')).status).toBe(200);
    expect((await post(a, '/v1/pre-reboot', 'z2')).status).toBe(200);
    expect((await a.locks.list('default'))[0]!.holders.map((h) => h.nodeId)).toEqual(['z2']);
    await post(a, '/v1/steady-state', 'z2');
  });

  it('grants exactly one slot to 60 nodes racing through both replicas', async () => {
    const ids = Array.from({ length: 60 }, (_, i) => `race-${i}`);
    const statuses = await Promise.all(ids.map((id, i) => post(i % 2 ? a : b, '/v1/pre-reboot', id).then((r) => r.status)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s !== 200 && s !== 409)).toEqual([]);
    const winner = ids[statuses.indexOf(200)]!;
    expect((await b.locks.list('default'))[0]!.holders.map((h) => h.nodeId)).toEqual([winner]);
    expect((await post(a, '/v1/steady-state', winner)).status).toBe(200);
  });

  it('answers 503 store_unavailable and is not ready while etcd is down, then recovers without a restart', async () => {
    expect((await post(a, '/v1/pre-reboot', 'w1', 'workers')).status).toBe(200);
    expect([await readyz(a), await readyz(b)]).toEqual([200, 200]);
    await etcd.stop('SIGKILL');
    try {
      const [take, free, ra, rb] = await Promise.all([post(a, '/v1/pre-reboot', 'w2', 'workers'), post(b, '/v1/steady-state', 'w1', 'workers'), readyz(a), readyz(b)]);
      expect([take.status, free.status, ra, rb]).toEqual([503, 503, 503, 503]);
      expect(await take.json()).toMatchObject({ kind: 'store_unavailable' });
    } finally {
      await etcd.start();
    }
    while ((await readyz(a)) !== 200 || (await readyz(b)) !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await b.locks.list('workers'))[0]!.holders.map((h) => h.nodeId)).toEqual(['w1']);
    expect((await post(b, '/v1/pre-reboot', 'w2', 'workers')).status).toBe(200);
    expect((await post(a, '/v1/pre-reboot', 'w3', 'workers')).status).toBe(409);
  });
});
