// Following a prefix on a real etcd: a replica learns each change through a
// watch (no listing per change), catches up to a barrier on demand, and when
// its watch lost its place to a compaction it lists once more and converges.
import { Etcd3 } from 'etcd3';
import { Registry } from 'prom-client';
import { expect, it } from 'vitest';
import { silentLogger } from '../../common/log.js';
import { FleetRegistry } from '../../coordinator/fleet/registry.js';
import type { RegisterRequest__Output } from '../../proto/generated/hostpilot/v1/RegisterRequest.js';
import { EtcdStore } from '../../coordinator/store/etcd.js';
import type { FollowSink } from '../../coordinator/store/follow.js';
import { describeWith } from '../support/components.js';
import { suiteEtcd } from '../support/etcd.js';
import { nodeReport } from '../support/node-report.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { waitFor } from '../support/tmp.js';

describeWith(['etcd'], 'following a prefix on a real etcd', () => {
  const suite = suiteEtcd();

  function store(prefix: string, endpoint = suite.etcd.endpoint): EtcdStore {
    const s = new EtcdStore({ endpoints: [endpoint], prefix, listPageSize: 3 });
    suite.afterThis(() => s.close());
    return s;
  }

  /** A sink that keeps the followed prefix as a map, and counts what it was given. */
  function view(): FollowSink & { keys: Map<string, unknown>; resets: number; changes: number } {
    const keys = new Map<string, unknown>();
    const sink = {
      keys,
      resets: 0,
      changes: 0,
      reset(entries: { key: string; value: unknown }[]) {
        sink.resets++;
        keys.clear();
        for (const e of entries) keys.set(e.key, e.value);
      },
      change(key: string, value: unknown) {
        sink.changes++;
        if (value === undefined) keys.delete(key);
        else keys.set(key, value);
      },
    };
    return sink;
  }

  it('lists once, then learns puts and deletes through the watch; caughtUp is a barrier', async () => {
    const prefix = `/follow-${suite.unique()}/`;
    const writer = store(prefix);
    for (let i = 0; i < 7; i++) await writer.put(`nodes/n${i}`, { i });
    await writer.put('locks/default', { other: true });
    const sink = view();
    const following = await store(prefix).follow('nodes/', sink, silentLogger);
    suite.afterThis(() => following.close());
    // Seven keys in pages of three, one listing.
    expect(sink.resets).toBe(1);
    expect([...sink.keys.keys()].sort()).toEqual(['nodes/n0', 'nodes/n1', 'nodes/n2', 'nodes/n3', 'nodes/n4', 'nodes/n5', 'nodes/n6']);

    await writer.put('nodes/n1', { i: 100 });
    await writer.delete('nodes/n2');
    await writer.put('locks/default', { other: false });
    await following.caughtUp();
    // Everything committed before caughtUp() is in the view now, nothing else was listed.
    expect(sink.keys.get('nodes/n1')).toEqual({ i: 100 });
    expect(sink.keys.has('nodes/n2')).toBe(false);
    expect(sink.resets).toBe(1);
    expect([...sink.keys.keys()].every((k) => k.startsWith('nodes/'))).toBe(true);
    // The barrier's marker lies beside the prefix, never in it.
    expect((await writer.list('nodes/')).map((e) => e.key)).not.toContain('nodes.follow');
  });

  it('lists again when a compaction removed the revision its watch must resume from, and converges', async () => {
    const prefix = `/follow-${suite.unique()}/`;
    const writer = store(prefix);
    for (let i = 0; i < 4; i++) await writer.put(`nodes/n${i}`, { v: 1 });
    const proxy = await startTcpProxy(Number(new URL(suite.etcd.endpoint).port));
    suite.afterThis(() => proxy.close());
    const sink = view();
    const following = await store(prefix, `http://127.0.0.1:${proxy.port}`).follow('nodes/', sink, silentLogger);
    suite.afterThis(() => following.close());
    expect(sink.resets).toBe(1);

    // The follower is cut off while the prefix changes and etcd compacts its history.
    await proxy.cut();
    await writer.put('nodes/n1', { v: 2 });
    await writer.delete('nodes/n2');
    await writer.put('nodes/n9', { v: 1 });
    const raw = new Etcd3({ hosts: suite.etcd.endpoint });
    suite.afterThis(async () => raw.close());
    const revision = (await raw.get('anything').exec()).header.revision;
    await raw.kv.compact({ revision, physical: true });
    await proxy.restore();

    // Its watch cannot resume (compacted): one more listing, and the view is etcd's.
    await waitFor(() => sink.resets === 2, 'a second listing after the compaction');
    await following.caughtUp();
    expect(Object.fromEntries(sink.keys)).toEqual({ 'nodes/n0': { v: 1 }, 'nodes/n1': { v: 2 }, 'nodes/n3': { v: 1 }, 'nodes/n9': { v: 1 } });
    // And it follows on from there through the watch.
    await writer.put('nodes/n0', { v: 3 });
    await following.caughtUp();
    expect(sink.keys.get('nodes/n0')).toEqual({ v: 3 });
    expect(sink.resets).toBe(2);
  });

  it("updates a follower replica's fleet view from a watch event, without a listing", async () => {
    const prefix = `/follow-${suite.unique()}/`;
    const fleetOptions = { nodeTimeoutMs: 60_000, heartbeatIntervalMs: 1000 };
    const replica = async () => {
      const s = store(prefix);
      const fleet = new FleetRegistry(s, new Registry(), silentLogger, fleetOptions);
      await fleet.init(s);
      suite.afterThis(() => fleet.close());
      return fleet;
    };
    const a = await replica();
    const b = await replica();
    expect(b.view('n1')).toBeUndefined();

    await a.register({ node_id: 'n1', hostname: 'h1', labels: { rack: 'r1' }, os: null, agent_version: '' } as RegisterRequest__Output);
    // Nobody asks b to read: the watch brings the node in.
    const seen = await waitFor(() => b.view('n1'), 'n1 in the follower');
    expect(seen.labels).toEqual({ rack: 'r1' });
    expect(seen.connected).toBe(false);

    // Its report, written by the replica holding its stream, reaches the other replica...
    a.attach('n1', () => undefined);
    await a.report(nodeReport('n1', '2'));
    await b.syncFromStore();
    expect(b.view('n1')!.deployments.find((d) => d.booted)?.version).toBe('2');
    // ...and an operator's mark made on the other replica reaches the one holding the stream.
    await b.exclude('n1', 'disk swap');
    await a.syncFromStore();
    expect(a.view('n1')!.excluded?.reason).toBe('disk swap');
    expect(a.view('n1')!.connected).toBe(true);

    // Removed where it is connected: gone from the other replica's view.
    await a.remove('n1', true);
    await b.syncFromStore();
    expect(b.view('n1')).toBeUndefined();
  });
});
