// The fleet simulator against an in-process coordinator: 20 simulated agents
// over real gRPC, one rack-by-rack rollout, the budget invariant checked all
// along (coordinator snapshots and the simulator's own lock/reboot events).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFleetRollout } from '../../bench/sim/run.js';
import { InvariantTracker, checkLocksSnapshot, checkPoolsSnapshot } from '../../bench/sim/invariant.js';
import { idealSchedule, percentile, wavesFor } from '../../bench/sim/schedule.js';
import { withCoordinator } from '../support/coordinator.js';

describe('fleet simulator', () => {
  let coordinator: Awaited<ReturnType<typeof withCoordinator>>;
  beforeAll(async () => {
    coordinator = await withCoordinator({ groups: new Map([['default', 2]]), rolloutIntervalMs: 100, heartbeatIntervalMs: 1000 });
  });
  afterAll(async () => {
    await coordinator?.cleanup();
  });

  it('moves 20 nodes rack by rack within the budget and reports its figures', async () => {
    const result = await runFleetRollout({
      address: `127.0.0.1:${coordinator.grpcPort}`,
      nodes: 20,
      racks: 2,
      pools: 2,
      strategy: 'by-label:rack',
      maxUnavailable: '1',
      slots: 2,
      rebootMs: 200,
      settleMs: 100,
      lockRetryMs: 50,
      nodesPerChannel: 4,
      workers: 0,
      pollMs: 50,
      eventLagMs: 200,
      timeoutMs: 25_000,
    });
    expect(result.failure).toBeUndefined();
    expect(result.violations).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.completed).toBe(true);
    const f = result.figures;
    expect(f.reboots).toBe(20);
    expect(f.buckets).toBe(2);
    // Two pools of 10, budget 1 each, 2 slots: 5 waves per rack of 10.
    expect(f.waves).toBe(10);
    expect(Number(f.max_holders)).toBeGreaterThanOrEqual(1);
    expect(Number(f.max_holders)).toBeLessThanOrEqual(2);
    expect(Number(f.max_down)).toBeLessThanOrEqual(1);
    expect(Number(f.events)).toBe(80);
    expect(Number(f.snapshots)).toBeGreaterThan(0);
    // Every node is on the target, as the coordinator sees it.
    const versions = coordinator.fleet.list().map((n) => n.deployments.find((d) => d.booted)?.version);
    expect(versions).toEqual(Array(20).fill('2'));
    expect((await coordinator.locks.list('default'))[0]!.holders).toEqual([]);
  });
});

describe('fleet simulator against a coordinator with more slots than the bench allows', () => {
  let coordinator: Awaited<ReturnType<typeof withCoordinator>>;
  beforeAll(async () => {
    coordinator = await withCoordinator({ groups: new Map([['default', 3]]), rolloutIntervalMs: 100, heartbeatIntervalMs: 1000 });
  });
  afterAll(async () => {
    await coordinator?.cleanup();
  });

  it('stops the run and names the breach', async () => {
    // The rollout lets 3 nodes go at once and the coordinator grants 3 slots; the bench is told 1 slot.
    const result = await runFleetRollout({
      address: `127.0.0.1:${coordinator.grpcPort}`,
      nodes: 6,
      racks: 1,
      pools: 1,
      strategy: 'size:6',
      maxUnavailable: '3',
      slots: 1,
      rebootMs: 300,
      settleMs: 0,
      lockRetryMs: 50,
      nodesPerChannel: 3,
      workers: 0,
      pollMs: 50,
      eventLagMs: 100,
      timeoutMs: 25_000,
    });
    expect(result.completed).toBe(false);
    expect(result.failure).toMatch(/budget invariant violated: .*lock (holders|slot).*more than the 1 slots/);
    expect(result.violations.length).toBeGreaterThan(0);
  });
});

describe('ideal schedule', () => {
  it('takes the tighter of the pool budget and the slots', () => {
    const budgets = new Map([['a', 3], ['b', 1]]);
    expect(wavesFor({ name: 'x', pools: new Map([['a', 10]]) }, budgets, 5)).toBe(4);
    expect(wavesFor({ name: 'x', pools: new Map([['a', 10]]) }, budgets, 2)).toBe(5);
    // Pool b alone needs 4 waves; 8 nodes over 2 slots also need 4.
    expect(wavesFor({ name: 'x', pools: new Map([['a', 4], ['b', 4]]) }, budgets, 2)).toBe(4);
    // 12 nodes, 3 slots: 4 waves although each pool alone would fit in fewer.
    expect(wavesFor({ name: 'x', pools: new Map([['a', 9], ['b', 3]]) }, new Map([['a', 3], ['b', 3]]), 3)).toBe(4);
    const s = idealSchedule([{ name: 'r1', pools: new Map([['a', 6]]) }, { name: 'r2', pools: new Map([['a', 5]]) }], budgets, { slots: 5, rebootMs: 2000, settleMs: 500 });
    expect(s).toEqual({ waves: 4, buckets: 2, idealMs: 4 * 2000 + 500 });
  });

  it('percentiles by nearest rank', () => {
    const xs = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('invariant tracker', () => {
  const budgets = new Map([['p', 1]]);
  it('replays events from several processes in time order', () => {
    const t = new InvariantTracker(budgets, 1);
    // Node b's hold arrives before a's unhold, but a let go first.
    t.add([{ t: 10, node: 'b', pool: 'p', kind: 'hold' }]);
    t.add([
      { t: 1, node: 'a', pool: 'p', kind: 'hold' },
      { t: 2, node: 'a', pool: 'p', kind: 'down' },
      { t: 3, node: 'a', pool: 'p', kind: 'up' },
      { t: 4, node: 'a', pool: 'p', kind: 'unhold' },
    ]);
    expect(t.advance(100)).toEqual([]);
    expect(t.maxHolders).toBe(1);
  });

  it('flags more holders than slots, more down than the budget, and a reboot without a slot', () => {
    const t = new InvariantTracker(budgets, 1);
    t.add([
      { t: 1, node: 'a', pool: 'p', kind: 'hold' },
      { t: 2, node: 'b', pool: 'p', kind: 'hold' },
      { t: 3, node: 'c', pool: 'p', kind: 'down' },
    ]);
    const v = t.advance(10);
    expect(v).toHaveLength(2);
    expect(v[0]).toMatch(/2 nodes hold a lock slot, more than the 1 slots/);
    expect(v[1]).toMatch(/c went down without holding a lock slot/);
    const u = new InvariantTracker(budgets, 5);
    u.add([
      { t: 1, node: 'a', pool: 'p', kind: 'hold' },
      { t: 2, node: 'b', pool: 'p', kind: 'hold' },
      { t: 3, node: 'a', pool: 'p', kind: 'down' },
      { t: 4, node: 'b', pool: 'p', kind: 'down' },
    ]);
    expect(u.advance(10)).toEqual([expect.stringMatching(/2 nodes of pool p down at once, budget 1/)]);
  });

  it('leaves events newer than the lag for later', () => {
    const t = new InvariantTracker(budgets, 1);
    t.add([{ t: 50, node: 'a', pool: 'p', kind: 'hold' }]);
    t.advance(40);
    expect(t.processed).toBe(0);
    t.finish();
    expect(t.processed).toBe(1);
  });

  it('checks coordinator snapshots one at a time', () => {
    const pools = [
      { name: 'p', notReady: 2 },
      { name: 'q', notReady: 0 },
    ];
    expect(checkPoolsSnapshot(pools, new Map([['p', 2], ['q', 1]])).violations).toEqual([]);
    expect(checkPoolsSnapshot(pools, new Map([['p', 1], ['q', 1]])).violations).toEqual(['coordinator: 2 nodes of pool p not ready at once, budget 1']);
    const poolOf = (id: string) => (id === 'c' ? 'q' : 'p');
    expect(checkLocksSnapshot(['a', 'c'], 2, poolOf, new Map([['p', 1], ['q', 1]]))).toEqual([]);
    expect(checkLocksSnapshot(['a', 'b', 'c'], 2, poolOf, new Map([['p', 1], ['q', 1]]))).toEqual([
      'coordinator: 3 lock holders, more than the 2 slots',
      'coordinator: 2 lock holders in pool p, budget 1',
    ]);
  });
});
