// Leader fencing on a real etcd: a leader whose lease ran out while it still
// believes it leads (its watchdog has not fired yet, a write is on the wire)
// cannot change a rollout once another replica has taken over. The old
// leader's write is refused as unavailable and the stored rollout is the new
// leader's.
import { Etcd3 } from 'etcd3';
import { expect, it } from 'vitest';
import { UnavailableError } from '../../common/errors.js';
import { silentLogger } from '../../common/log.js';
import { EtcdLeaderElection } from '../../coordinator/leader/etcd-election.js';
import { LEADER_KEY_PREFIXES } from '../../coordinator/leader/fence.js';
import { EtcdStore, FencedError } from '../../coordinator/store/etcd.js';
import { describeWith } from '../support/components.js';
import { suiteEtcd } from '../support/etcd.js';

describeWith(['etcd'], 'leader fencing on a real etcd', () => {
  const suite = suiteEtcd();

  function replica(prefix: string, id: string): { election: EtcdLeaderElection; store: EtcdStore } {
    const election = new EtcdLeaderElection({ endpoints: [suite.etcd.endpoint], prefix, id, leaseTtlSeconds: 2, log: silentLogger, retryDelayMs: 100 });
    const store = new EtcdStore({ endpoints: [suite.etcd.endpoint], prefix, opTimeoutMs: 3000 });
    suite.afterThis(async () => {
      await election.close();
      await store.close();
    });
    return { election, store };
  }

  it("refuses an old leader's rollout write after a new leader took over", async () => {
    const prefix = `/fence-${suite.unique()}/`;
    const a = replica(prefix, 'a');
    await a.election.campaign();
    await waitFor(() => a.election.isLeader);
    const b = replica(prefix, 'b');
    await b.election.campaign();

    const termA = a.election.fence()!;
    expect(termA.key).toMatch(/^election\/rollout\//);
    a.store.setFence(LEADER_KEY_PREFIXES, termA);
    await a.store.put('rollouts/r1', { step: 1, by: 'a' });

    // A's lease ends behind its back (as when its keepalives stop reaching etcd): B takes over.
    const raw = new Etcd3({ hosts: suite.etcd.endpoint });
    suite.afterThis(async () => raw.close());
    await raw.leaseClient.leaseRevoke({ ID: termA.key.slice('election/rollout/'.length) });
    await waitFor(() => b.election.isLeader);
    const termB = b.election.fence()!;
    expect(termB.revision).not.toBe(termA.revision);
    b.store.setFence(LEADER_KEY_PREFIXES, termB);
    await b.store.update<{ step: number; by: string }, void>('rollouts/r1', (r) => ({ next: { step: (r?.step ?? 0) + 1, by: 'b' }, result: undefined }));

    // A still writes with the term it was elected with: refused, as unavailable, nothing changed.
    const refused = await a.store.update<{ step: number; by: string }, void>('rollouts/r1', (r) => ({ next: { step: (r?.step ?? 0) + 1, by: 'a' }, result: undefined })).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(FencedError);
    expect(refused).toBeInstanceOf(UnavailableError);
    expect((refused as UnavailableError).kind).toBe('unavailable');
    expect((refused as Error).message).toContain('rollouts/r1');
    // A new rollout (an absent key) is refused the same way.
    await expect(a.store.put('rollouts/r2', { step: 1, by: 'a' })).rejects.toBeInstanceOf(FencedError);
    expect(await b.store.get('rollouts/r1')).toEqual({ step: 2, by: 'b' });
    expect(await b.store.get('rollouts/r2')).toBeUndefined();
    // Keys outside the leader's (node reports, locks) are written by every replica, unfenced.
    await a.store.put('nodes/n1', { from: 'a' });
    expect(await b.store.get('nodes/n1')).toEqual({ from: 'a' });
    // Once A's leader task has stopped, its operator writes go through again (a rollout created on any replica).
    a.store.clearFence(termA);
    await a.store.put('rollouts/r3', { step: 1, by: 'operator on a' });
    expect(await b.store.get('rollouts/r3')).toEqual({ step: 1, by: 'operator on a' });
  });

  it("keeps a batch that lost a race under its term: the retry is refused too, never written unfenced", async () => {
    const prefix = `/fence-${suite.unique()}/`;
    const a = replica(prefix, 'a');
    await a.election.campaign();
    await waitFor(() => a.election.isLeader);
    const termA = a.election.fence()!;
    a.store.setFence(LEADER_KEY_PREFIXES, termA);
    await a.store.put('rollouts/r1', { step: 1 });
    // Another writer changes the rollout (A's cached revision is stale) and A's lease ends.
    const other = new EtcdStore({ endpoints: [suite.etcd.endpoint], prefix });
    suite.afterThis(() => other.close());
    await other.put('rollouts/r1', { step: 5 });
    const raw = new Etcd3({ hosts: suite.etcd.endpoint });
    suite.afterThis(async () => raw.close());
    await raw.leaseClient.leaseRevoke({ ID: termA.key.slice('election/rollout/'.length) });
    await expect(a.store.update<{ step: number }, void>('rollouts/r1', (r) => ({ next: { step: (r?.step ?? 0) + 1 }, result: undefined }))).rejects.toBeInstanceOf(FencedError);
    expect(await other.get('rollouts/r1')).toEqual({ step: 5 });
  });
});

/** Polls until `check` gives a truthy value; bounded by the test timeout, no timing asserted. */
async function waitFor<T>(check: () => T | Promise<T>): Promise<NonNullable<T>> {
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
