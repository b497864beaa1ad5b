// Resources and the git source over etcd with two coordinator replicas: a
// LockGroup applied on one is a lock group on the other; only the leader syncs
// git, and either answers for its status (kept in the shared store).
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readResources } from '../../common/api/documents.js';
import { describeWith } from '../support/components.js';
import { withCoordinator } from '../support/coordinator.js';
import { startEtcd, type EtcdServer } from '../support/etcd.js';
import { makeTempDir, waitFor } from '../support/tmp.js';
import { TestRemote } from '../git/repo.js';
import { LOCKGROUP } from './fleet-fixture.js';

type Coordinator = Awaited<ReturnType<typeof withCoordinator>>;

describeWith(['etcd', 'git'], 'resources on etcd replicas', () => {
  let etcd: EtcdServer;
  let a: Coordinator;
  let b: Coordinator;
  let tmp: ReturnType<typeof makeTempDir>;
  let remote: TestRemote;
  let first: string;

  beforeAll(async () => {
    tmp = makeTempDir('hostpilot-etcd-git-');
    remote = await TestRemote.create(tmp.dir);
    first = await remote.commit({ 'fleet/infra.yaml': LOCKGROUP.replace('name: workers', 'name: infra') });
    etcd = await startEtcd();
    const git = { url: remote.url, ref: 'main', path: 'fleet', intervalMs: 3_600_000, suspend: false };
    a = await withCoordinator({ store: `etcd:${etcd.endpoint}`, git: { ...git, cacheDir: join(tmp.dir, 'cache-a') } });
    b = await withCoordinator({ store: `etcd:${etcd.endpoint}`, git: { ...git, cacheDir: join(tmp.dir, 'cache-b') } });
  });
  afterAll(async () => {
    await a?.cleanup();
    await b?.cleanup();
    await etcd?.destroy();
    tmp?.remove();
  });

  it('a LockGroup applied on one replica is a lock group on the other', async () => {
    const located = readResources([{ name: 'g.yaml', text: LOCKGROUP }]);
    expect(await a.resources.apply(located, { managedBy: 'apply' })).toEqual([{ kind: 'LockGroup', name: 'workers', action: 'created', changes: [] }]);
    await b.resources.refresh();
    expect((await b.locks.list('workers'))[0]?.slots).toBe(2);
    expect((await b.resources.get('lockgroups', 'workers'))[0]?.metadata).toMatchObject({ name: 'workers', generation: 1, managedBy: 'apply' });
    expect(await b.resources.apply(located, { managedBy: 'apply' })).toEqual([{ kind: 'LockGroup', name: 'workers', action: 'unchanged', changes: [] }]);
  });

  it('only the leader syncs the git source; both report its status', async () => {
    for (const c of [a, b]) await waitFor(async () => (await c.git!.status()).lastAppliedRevision === `main@sha1:${first}`, 'the leader applied the first commit');
    const results = await Promise.allSettled([a.git!.sync(), b.git!.sync()]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(String(refused?.reason)).toMatch(/does not lead: the leader syncs the git source/);
    await b.resources.refresh();
    await a.resources.refresh();
    for (const c of [a, b]) expect((await c.locks.list('infra'))[0]?.slots).toBe(2);
  });
});
