// Leader election on a real etcd. Each elector reaches etcd through its own
// TCP proxy, so a test can partition one replica (as if it crashed or lost
// its network) without stopping etcd for the others.
import { Etcd3 } from 'etcd3';
import { expect, it } from 'vitest';
import { silentLogger } from '../../common/log.js';
import { EtcdLeaderElection } from '../../coordinator/leader/etcd-election.js';
import { runWhileLeader } from '../../coordinator/leader/while-leader.js';
import { EtcdStore } from '../../coordinator/store/etcd.js';
import { describeWith } from '../support/components.js';
import { suiteEtcd } from '../support/etcd.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const TTL_SECONDS = 3;

describeWith(['etcd'], 'EtcdLeaderElection on a real etcd', () => {
  const suite = suiteEtcd();

  interface Replica {
    id: string;
    election: EtcdLeaderElection;
    proxy: TcpProxy;
  }
  /** Every transition of every replica, in the order this process saw them. */
  let events: { id: string; isLeader: boolean }[] = [];

  async function replicas(count: number, prefix: string): Promise<Replica[]> {
    events = [];
    const port = Number(new URL(suite.etcd.endpoint).port);
    const out: Replica[] = [];
    for (let i = 0; i < count; i++) {
      const proxy = await startTcpProxy(port);
      const id = `replica-${i}`;
      const election = new EtcdLeaderElection({
        endpoints: [`http://127.0.0.1:${proxy.port}`],
        prefix,
        id,
        leaseTtlSeconds: TTL_SECONDS,
        log: silentLogger,
        retryDelayMs: 200,
      });
      election.onChange((isLeader) => events.push({ id, isLeader }));
      suite.afterThis(async () => {
        await proxy.restore();
        await election.close();
        await proxy.close();
      });
      out.push({ id, election, proxy });
    }
    await Promise.all(out.map((r) => r.election.campaign()));
    return out;
  }

  async function candidates(prefix: string): Promise<number> {
    const client = new Etcd3({ hosts: suite.etcd.endpoint });
    try {
      return (await client.namespace(`${prefix}election/rollout/`).getAll().keys()).length;
    } finally {
      client.close();
    }
  }

  it('elects exactly one leader among three, and every replica agrees who', async () => {
    const prefix = `/election-${suite.unique()}/`;
    const rs = await replicas(3, prefix);
    const leader = await waitFor(() => rs.find((r) => r.election.isLeader));
    await waitFor(async () => (await candidates(prefix)) === 3);
    expect(rs.filter((r) => r.election.isLeader)).toEqual([leader]);
    for (const r of rs) expect(await r.election.leader()).toBe(leader.id);
  });

  it('hands over when the leader is cut off, and the old leader steps down before the new one starts', async () => {
    const prefix = `/election-${suite.unique()}/`;
    const rs = await replicas(3, prefix);
    const first = await waitFor(() => rs.find((r) => r.election.isLeader));
    await waitFor(async () => (await candidates(prefix)) === 3);

    await first.proxy.cut();
    const second = await waitFor(() => rs.find((r) => r !== first && r.election.isLeader));
    expect(first.election.isLeader).toBe(false);
    expect(rs.filter((r) => r.election.isLeader)).toEqual([second]);
    // Never two leaders: the cut-off leader's step-down came before the new leader's election.
    const stepDown = events.findIndex((e) => e.id === first.id && !e.isLeader);
    const takeOver = events.findIndex((e) => e.id === second.id && e.isLeader);
    expect(stepDown).toBeGreaterThanOrEqual(0);
    expect(stepDown).toBeLessThan(takeOver);

    // Back on the network, the old leader campaigns again, as a follower.
    await first.proxy.restore();
    await waitFor(async () => (await candidates(prefix)) === 3);
    expect(first.election.isLeader).toBe(false);
    expect(second.election.isLeader).toBe(true);
    expect(await first.election.leader()).toBe(second.id);
  });

  it('continues a rollout where it stopped when the leader is cut off mid-way', async () => {
    const prefix = `/rollout-${suite.unique()}/`;
    const rs = await replicas(3, prefix);
    for (const r of rs) {
      const store = new EtcdStore({ endpoints: [`http://127.0.0.1:${r.proxy.port}`], prefix, callTimeoutMs: 500, opTimeoutMs: 1000 });
      const handle = runWhileLeader(r.election, (signal) => fakeRollout(store, r.id, signal), silentLogger);
      suite.afterThis(async () => {
        await handle.stop();
        await store.close();
      });
    }
    const observer = new EtcdStore({ endpoints: [suite.etcd.endpoint], prefix });
    suite.afterThis(() => observer.close());
    const progress = () => observer.get<Progress>('rollouts/r1');

    const first = await waitFor(() => rs.find((r) => r.election.isLeader));
    await waitFor(async () => ((await progress())?.buckets.length ?? 0) >= 3);
    await first.proxy.cut();
    const done = await waitFor(async () => {
      const p = await progress();
      return p && p.buckets.length >= p.total ? p : undefined;
    });
    // Every bucket exactly once, in order, and the work moved to another replica.
    expect(done.buckets.map((b) => b.bucket)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const by = done.buckets.map((b) => b.by);
    expect(by[0]).toBe(first.id);
    expect(by.at(-1)).not.toBe(first.id);
    // Once another replica took a bucket, the old leader never did one again.
    const handedOver = by.findIndex((id) => id !== first.id);
    expect(by.slice(handedOver).includes(first.id)).toBe(false);
    expect(first.election.isLeader).toBe(false);
  });

  it('hands over at once when the leader resigns or closes, and a resigned replica can campaign again', async () => {
    const prefix = `/election-${suite.unique()}/`;
    const rs = await replicas(2, prefix);
    const first = await waitFor(() => rs.find((r) => r.election.isLeader));
    const other = rs.find((r) => r !== first)!;
    await first.election.resign();
    expect(first.election.isLeader).toBe(false);
    await waitFor(() => other.election.isLeader);
    await first.election.campaign();
    await waitFor(async () => (await candidates(prefix)) === 2);
    expect(first.election.isLeader).toBe(false);
    await other.election.close();
    await waitFor(() => first.election.isLeader);
    expect(events.map((e) => `${e.id}:${e.isLeader}`)).toEqual([`${first.id}:true`, `${first.id}:false`, `${other.id}:true`, `${other.id}:false`, `${first.id}:true`]);
  });
});

/** A stand-in for the rollout controller: one bucket per step, progress kept in the store. */
interface Progress {
  total: number;
  buckets: { bucket: number; by: string }[];
}

async function fakeRollout(store: EtcdStore, id: string, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    const progress = await store.update<Progress, Progress>('rollouts/r1', (current) => {
      const p = current ?? { total: 10, buckets: [] };
      if (p.buckets.length >= p.total) return { result: p };
      const next = { ...p, buckets: [...p.buckets, { bucket: p.buckets.length, by: id }] };
      return { next, result: next };
    });
    if (progress.buckets.length >= progress.total) return;
    // A bucket takes a while (drain, reboot, health gate).
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

/** Polls until `check` gives a truthy value; bounded by the test timeout, no timing asserted. */
async function waitFor<T>(check: () => T | Promise<T>): Promise<NonNullable<T>> {
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
