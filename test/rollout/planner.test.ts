// The rollout planner, pure: no store, no clock, no I/O.
import { describe, expect, it } from 'vitest';
import { inWindow, parseWindow } from '../../common/window.js';
import {
  abortRollout,
  budgetFor,
  createRollout,
  makeBuckets,
  pauseRollout,
  plan,
  progress,
  resumeRollout,
  type FleetNode,
  type Plan,
} from '../../coordinator/rollout/planner.js';
import type { BucketStrategy, MaxUnavailable, Rollout, RolloutSpec } from '../../coordinator/rollout/types.js';
import { HOUR, MIN, WED_NOON_UTC, fleetOf, node, onVersion, spec } from './helpers.js';

const ids = (n: number, prefix = 'n') => Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(2, '0')}`);

/** One planner step over a fleet given as a list. */
function step(r: Rollout, fleet: FleetNode[], now: number, lockHolders: string[] = []): Plan {
  return plan({ rollout: r, fleet: fleetOf(fleet), lockHolders: new Set(lockHolders), now });
}

describe('makeBuckets', () => {
  it('by-label: one bucket per label value in order, unlabelled nodes in a "(none)" bucket', () => {
    const fleet = [node('n5', { rack: 'r2' }), node('n1', { rack: 'r2' }), node('n3', { rack: 'r1' }), node('n4'), node('n2', { rack: 'r1' })];
    expect(makeBuckets(fleet, { kind: 'by-label', label: 'rack' })).toEqual([
      { name: 'rack=(none)', nodes: ['n4'] },
      { name: 'rack=r1', nodes: ['n2', 'n3'] },
      { name: 'rack=r2', nodes: ['n1', 'n5'] },
    ]);
  });

  it('orders racks and nodes naturally (rack 2 before rack 10)', () => {
    const fleet = ['n10', 'n9', 'n1', 'n09', 'n2'].map((id, i) => node(id, { rack: ['rack-10', 'rack-2', 'rack-1', 'rack-2', 'rack-10'][i]! }));
    expect(makeBuckets(fleet, { kind: 'by-label', label: 'rack' })).toEqual([
      { name: 'rack=rack-1', nodes: ['n1'] },
      { name: 'rack=rack-2', nodes: ['n09', 'n9'] },
      { name: 'rack=rack-10', nodes: ['n2', 'n10'] },
    ]);
    expect(makeBuckets(fleet, { kind: 'size', size: 2 }).map((b) => b.nodes)).toEqual([['n1', 'n2'], ['n09', 'n9'], ['n10']]);
  });

  it('is independent of the order the fleet is listed in', () => {
    const fleet = [...ids(9).map((id, i) => node(id, { rack: `r${i % 3}` })), node('n9', { rack: 'r10' }), node('N09', {})];
    const strategies: BucketStrategy[] = [{ kind: 'by-label', label: 'rack' }, { kind: 'size', size: 4 }, { kind: 'percent', percent: 30 }];
    for (const s of strategies) expect(makeBuckets([...fleet].reverse(), s)).toEqual(makeBuckets(fleet, s));
  });

  const sizes: Array<[string, number, BucketStrategy, number[]]> = [
    ['size:3 of 7', 7, { kind: 'size', size: 3 }, [3, 3, 1]],
    ['size:10 of 4', 4, { kind: 'size', size: 10 }, [4]],
    ['size:1 of 3', 3, { kind: 'size', size: 1 }, [1, 1, 1]],
    ['percent:25 of 10 rounds 2.5 down to 2', 10, { kind: 'percent', percent: 25 }, [2, 2, 2, 2, 2]],
    ['percent:33 of 10 rounds 3.3 down to 3', 10, { kind: 'percent', percent: 33 }, [3, 3, 3, 1]],
    ['percent:50 of 5 rounds 2.5 down to 2', 5, { kind: 'percent', percent: 50 }, [2, 2, 1]],
    ['percent:10 of 5 has a floor of 1', 5, { kind: 'percent', percent: 10 }, [1, 1, 1, 1, 1]],
    ['percent:1 of 3 has a floor of 1', 3, { kind: 'percent', percent: 1 }, [1, 1, 1]],
    ['percent:100 of 6 is one bucket', 6, { kind: 'percent', percent: 100 }, [6]],
  ];
  it.each(sizes)('%s', (_name, n, strategy, expected) => {
    const buckets = makeBuckets(ids(n).map((id) => node(id)), strategy);
    expect(buckets.map((b) => b.nodes.length)).toEqual(expected);
    expect(buckets.flatMap((b) => b.nodes)).toEqual(ids(n));
    expect(buckets.map((b) => b.name)).toEqual(expected.map((_, i) => `bucket-${i + 1}`));
  });

  it('makes no bucket of an empty selection', () => {
    expect(makeBuckets([], { kind: 'size', size: 2 })).toEqual([]);
    expect(makeBuckets([], { kind: 'percent', percent: 50 })).toEqual([]);
    expect(makeBuckets([], { kind: 'by-label', label: 'rack' })).toEqual([]);
  });
});

describe('budgetFor (as the machine-config-operator rounds maxUnavailable)', () => {
  const cases: Array<[number, MaxUnavailable, number]> = [
    [10, { kind: 'count', count: 1 }, 1],
    [10, { kind: 'count', count: 3 }, 3],
    [2, { kind: 'count', count: 5 }, 5],
    [10, { kind: 'percent', percent: 25 }, 2],
    [10, { kind: 'percent', percent: 29 }, 2],
    [10, { kind: 'percent', percent: 30 }, 3],
    [3, { kind: 'percent', percent: 50 }, 1],
    [3, { kind: 'percent', percent: 10 }, 1],
    [1, { kind: 'percent', percent: 1 }, 1],
    [0, { kind: 'percent', percent: 50 }, 1],
    [200, { kind: 'percent', percent: 100 }, 200],
    [7, { kind: 'count', count: 0 }, 1],
  ];
  it.each(cases)('pool of %i, %o → %i', (size, max, budget) => {
    expect(budgetFor(size, max)).toBe(budget);
  });
});

describe('plan: budget', () => {
  it('starts only the current bucket, within the budget of each pool', () => {
    const fleet = [
      ...ids(4, 'a').map((id) => node(id, { pool: 'workers', rack: 'r1' })),
      ...ids(4, 'b').map((id) => node(id, { pool: 'infra', rack: 'r1' })),
      ...ids(4, 'c').map((id) => node(id, { pool: 'workers', rack: 'r2' })),
    ];
    const r = createRollout(spec({ strategy: { kind: 'by-label', label: 'rack' }, maxUnavailable: { kind: 'count', count: 2 } }), fleet, WED_NOON_UTC);
    const p = step(r, fleet, WED_NOON_UTC);
    // Rack r1 first: two workers and two infra nodes, never a node of rack r2.
    expect(p.start).toEqual(['a01', 'a02', 'b01', 'b02']);
    expect(p.next.nodes['a01']).toMatchObject({ phase: 'updating', since: WED_NOON_UTC, previous: '1.0' });
  });

  it('rounds a percent budget down per pool, with a floor of 1', () => {
    const fleet = [...ids(10, 'w').map((id) => node(id, { pool: 'workers' })), ...ids(3, 'i').map((id) => node(id, { pool: 'infra' }))];
    const r = createRollout(spec({ maxUnavailable: { kind: 'percent', percent: 25 } }), fleet, WED_NOON_UTC);
    // workers: floor(2.5) = 2; infra: floor(0.75) → 1.
    expect(step(r, fleet, WED_NOON_UTC).start).toEqual(['i01', 'w01', 'w02']);
  });

  it('counts the whole pool, not only the selected nodes, for a percent budget', () => {
    const fleet = ids(10).map((id, i) => node(id, { rack: i < 2 ? 'r1' : 'r2' }));
    const r = createRollout(spec({ selector: { rack: ['r1'] }, maxUnavailable: { kind: 'percent', percent: 20 } }), fleet, WED_NOON_UTC);
    expect(Object.keys(r.nodes)).toEqual(['n01', 'n02']);
    expect(step(r, fleet, WED_NOON_UTC).start).toEqual(['n01', 'n02']);
  });

  const sharing: Array<[string, (fleet: FleetNode[]) => FleetNode[], string[], string[]]> = [
    ['a FleetLock client holding a slot', (f) => f, ['z1'], ['n01']],
    ['a selected node holding a slot itself', (f) => f, ['n03'], ['n01']],
    ['a degraded node', (f) => f.map((n) => (n.nodeId === 'z1' ? { ...n, state: 'degraded', activeProblems: 1 } : n)), [], ['n01']],
    ['an unreachable node', (f) => f.map((n) => (n.nodeId === 'z1' ? { ...n, state: 'unreachable' } : n)), [], ['n01']],
    ['a rebooting node', (f) => f.map((n) => (n.nodeId === 'z1' ? { ...n, state: 'rebooting', flowState: 'rebooting' } : n)), [], ['n01']],
    ['an updating node outside the rollout', (f) => f.map((n) => (n.nodeId === 'z1' ? { ...n, state: 'updating', flowState: 'locking' } : n)), [], ['n01']],
    ['nothing', (f) => f, [], ['n01', 'n02']],
    ['a slot held in another pool', (f) => f, ['x1'], ['n01', 'n02']],
  ];
  it.each(sharing)('shares the budget with %s', (_name, change, holders, expected) => {
    // Pool workers: n01..n04 (selected) and z1 (not selected); budget 2.
    const base = [...ids(4).map((id) => node(id, { role: 'os' })), node('z1', { role: 'zincati' }), node('x1', { pool: 'infra', role: 'zincati' })];
    const fleet = change(base);
    const r = createRollout(spec({ selector: { role: ['os'] }, maxUnavailable: { kind: 'count', count: 2 } }), fleet, WED_NOON_UTC);
    expect(step(r, fleet, WED_NOON_UTC, holders).start).toEqual(expected);
  });

  it('counts a FleetLock client the fleet does not know (a Zincati node) against every pool', () => {
    // Its pool is unknown, so it may be in any of them: unknown means unavailable.
    const fleet = [node('w1', { pool: 'workers' }), node('w2', { pool: 'workers' }), node('i1', { pool: 'infra' }), node('i2', { pool: 'infra' })];
    const r = createRollout(spec({ maxUnavailable: { kind: 'count', count: 2 } }), fleet, WED_NOON_UTC);
    expect(step(r, fleet, WED_NOON_UTC, ['zincati-7f3a']).start).toEqual(['i1', 'w1']);
    expect(step(r, fleet, WED_NOON_UTC, ['zincati-7f3a', 'zincati-99c1']).start).toEqual([]);
  });

  it('starts nothing while the pool is already at or over its budget', () => {
    const fleet = [...ids(3).map((id) => node(id, { role: 'os' })), node('z1', { role: 'zincati' }, { state: 'degraded' }), node('z2', { role: 'zincati' })];
    const r = createRollout(spec({ selector: { role: ['os'] }, maxUnavailable: { kind: 'count', count: 2 } }), fleet, WED_NOON_UTC);
    const p = step(r, fleet, WED_NOON_UTC, ['z2']);
    expect(p.start).toEqual([]);
    expect(p.next.nodes['n01']!.phase).toBe('waiting');
  });

  it('does not start a selected node that is not ready', () => {
    const fleet = [node('n01', {}, { state: 'degraded', activeProblems: 1 }), node('n02')];
    const r = createRollout(spec({ maxUnavailable: { kind: 'count', count: 5 } }), fleet, WED_NOON_UTC);
    expect(step(r, fleet, WED_NOON_UTC).start).toEqual(['n02']);
  });

  it('completes nodes already on the target without taking budget', () => {
    const fleet = [onVersion(node('n01'), '2.0'), onVersion(node('n02'), '2.0'), node('n03'), node('n04')];
    const r = createRollout(spec(), fleet, WED_NOON_UTC);
    const p = step(r, fleet, WED_NOON_UTC);
    expect(p.start).toEqual(['n03']);
    expect(p.next.nodes['n01']!.phase).toBe('done');
    expect(p.next.nodes['n02']!.phase).toBe('done');
  });

  it('recognises the target as a checksum prefix or an origin refspec', () => {
    const byChecksum = node('n01', {}, { bootedChecksum: 'abcdef0123456789' });
    const byOrigin = node('n02', {}, { bootedOrigin: 'os:testos/next' });
    expect(step(createRollout(spec({ target: 'abcdef0' }), [byChecksum], WED_NOON_UTC), [byChecksum], WED_NOON_UTC).next.nodes['n01']!.phase).toBe('done');
    expect(step(createRollout(spec({ target: 'os:testos/next' }), [byOrigin], WED_NOON_UTC), [byOrigin], WED_NOON_UTC).next.nodes['n02']!.phase).toBe('done');
    // A short or non-hex prefix is not a checksum.
    expect(step(createRollout(spec({ target: 'abcdef' }), [byChecksum], WED_NOON_UTC), [byChecksum], WED_NOON_UTC).start).toEqual(['n01']);
  });
});

describe('plan: reboot windows', () => {
  const fleet = ids(2).map((id) => node(id));
  const cases: Array<[string, string[], number, boolean]> = [
    ['no window: any time', [], WED_NOON_UTC, true],
    ['inside a daytime window', ['Wed 11:00-13:00'], WED_NOON_UTC, true],
    ['before a daytime window', ['Wed 13:00-14:00'], WED_NOON_UTC, false],
    ['on another day', ['Mon-Tue,Thu-Sun 00:00-24:00'], WED_NOON_UTC, false],
    ['across midnight, evening part', ['Wed 22:00-04:00'], Date.UTC(2026, 0, 7, 23, 30), true],
    ['across midnight, morning part belongs to the day before', ['Tue 22:00-04:00'], Date.UTC(2026, 0, 7, 3, 59), true],
    ['across midnight, morning part of a window that starts on another day', ['Wed 22:00-04:00'], Date.UTC(2026, 0, 7, 3, 0), false],
    ['across midnight, at its end', ['Tue 22:00-04:00'], Date.UTC(2026, 0, 7, 4, 0), false],
    // 12:00 UTC is 21:00 in Tokyo (UTC+9, no DST) and 07:00 in New York in January (UTC-5).
    ['in Asia/Tokyo', ['Wed 20:00-22:00 Asia/Tokyo'], WED_NOON_UTC, true],
    ['not in UTC hours when the window is in Tokyo', ['Wed 11:00-13:00 Asia/Tokyo'], WED_NOON_UTC, false],
    ['in America/New_York', ['Wed 06:00-08:00 America/New_York'], WED_NOON_UTC, true],
    ['across the local midnight in Tokyo', ['Wed 23:00-02:00 Asia/Tokyo'], Date.UTC(2026, 0, 7, 15, 30), true],
    ['any of several windows', ['Sat 00:00-01:00', 'Wed 12:00-12:01'], WED_NOON_UTC, true],
  ];
  it.each(cases)('%s', (_name, windows, now, opens) => {
    const r = createRollout(spec({ windows: windows.map((w) => parseWindow(w)), maxUnavailable: { kind: 'count', count: 2 } }), fleet, now);
    const p = step(r, fleet, now);
    expect(p.start).toEqual(opens ? ['n01', 'n02'] : []);
    if (!opens) expect(p.next.message).toMatch(/^outside the reboot windows \(.+\): the next opens at \d{4}-\d\d-\d\dT\d\d:\d\d:00Z; 2 node\(s\) of bucket-1 wait$/);
  });

  const nextOpen: Array<[string, number, string]> = [
    ['Wed 13:00-14:00', WED_NOON_UTC, '2026-01-07T13:00:00Z'],
    ['Mon 02:00-05:00', WED_NOON_UTC, '2026-01-12T02:00:00Z'],
    ['Wed 12:07-12:09', WED_NOON_UTC, '2026-01-07T12:07:00Z'],
    // 11:00 in Tokyo on Thursday is 02:00 UTC.
    ['Thu 11:00-13:00 Asia/Tokyo', WED_NOON_UTC, '2026-01-08T02:00:00Z'],
  ];
  it.each(nextOpen)('a closed window %s says when it opens', (window, now, opensAt) => {
    const r = createRollout(spec({ windows: [parseWindow(window)] }), fleet, now);
    expect(step(r, fleet, now).next.message).toContain(`the next opens at ${opensAt}`);
  });

  it('still follows the nodes in flight while the window is closed', () => {
    const closesAt = Date.UTC(2026, 0, 7, 13, 0);
    let r = createRollout(spec({ windows: [parseWindow('Wed 11:00-13:00')] }), fleet, WED_NOON_UTC);
    r = step(r, fleet, WED_NOON_UTC).next;
    const p = step(r, [onVersion(fleet[0]!, '2.0'), fleet[1]!], closesAt);
    expect(p.next.nodes['n01']!.phase).toBe('done');
    expect(p.start).toEqual([]);
  });
});

/** Drives nodes by hand: each started node boots the target unless told otherwise. */
class Fleet {
  nodes: Map<string, FleetNode>;
  constructor(list: FleetNode[]) {
    this.nodes = fleetOf(list);
  }
  list(): FleetNode[] {
    return [...this.nodes.values()];
  }
  set(id: string, change: (n: FleetNode) => FleetNode): void {
    this.nodes.set(id, change(this.nodes.get(id)!));
  }
  step(r: Rollout, now: number, holders: string[] = []): Plan {
    return plan({ rollout: r, fleet: this.nodes, lockHolders: new Set(holders), now });
  }
}

describe('plan: buckets, settle time and health gate', () => {
  it('advances rack by rack, waiting the settle time after each bucket, and completes', () => {
    const f = new Fleet([node('a1', { rack: 'r1' }), node('a2', { rack: 'r1' }), node('b1', { rack: 'r2' })]);
    let r = createRollout(spec({ strategy: { kind: 'by-label', label: 'rack' }, maxUnavailable: { kind: 'count', count: 5 }, settleMs: 5 * MIN }), f.list(), WED_NOON_UTC);
    let t = WED_NOON_UTC;
    let p = f.step(r, t);
    expect(p.start).toEqual(['a1', 'a2']);
    r = p.next;
    f.set('a1', (n) => onVersion(n, '2.0'));
    p = f.step(r, (t += MIN));
    expect(p.start).toEqual([]);
    expect(p.next.nodes['a1']!.phase).toBe('done');
    r = p.next;
    f.set('a2', (n) => onVersion(n, '2.0'));
    p = f.step(r, (t += MIN));
    expect(p.start).toEqual([]);
    expect(p.next.bucketDoneAt).toBe(t);
    r = p.next;
    // Settling: not yet.
    p = f.step(r, t + 5 * MIN - 1);
    expect(p.start).toEqual([]);
    expect(p.next.bucket).toBe(0);
    r = p.next;
    p = f.step(r, (t += 5 * MIN));
    expect(p.start).toEqual(['b1']);
    expect(p.next.bucket).toBe(1);
    expect(p.notes).toContain('bucket rack=r1 done');
    r = p.next;
    f.set('b1', (n) => onVersion(n, '2.0'));
    p = f.step(r, (t += MIN));
    r = p.next;
    expect(r.phase).toBe('running');
    p = f.step(r, (t += 5 * MIN));
    expect(p.next.phase).toBe('completed');
    expect(progress(p.next)).toMatchObject({ total: 3, done: 3, updating: 0, failed: 0, waiting: 0 });
    // A completed rollout stays as it is.
    const again = f.step(p.next, t + HOUR);
    expect(again.next).toEqual(p.next);
    expect(again.start).toEqual([]);
  });

  it('completes at once when every selected node already runs the target', () => {
    const f = new Fleet([onVersion(node('n1'), '2.0'), onVersion(node('n2'), '2.0')]);
    let r = createRollout(spec({ strategy: { kind: 'size', size: 1 } }), f.list(), WED_NOON_UTC);
    for (let i = 0; i < 6 && r.phase === 'running'; i++) {
      const p = f.step(r, WED_NOON_UTC + i);
      expect(p.start).toEqual([]);
      r = p.next;
    }
    expect(r.phase).toBe('completed');
  });

  const gate: Array<[string, (n: FleetNode) => FleetNode, number, 'done' | 'failed' | 'updating']> = [
    ['steady on the target', (n) => onVersion(n, '2.0'), MIN, 'done'],
    ['on the target with an active problem, in time', (n) => ({ ...onVersion(n, '2.0'), state: 'degraded', activeProblems: 1 }), MIN, 'updating'],
    ['on the target with an active problem, timed out', (n) => ({ ...onVersion(n, '2.0'), state: 'degraded', activeProblems: 1 }), 10 * MIN + 1, 'failed'],
    ['on the target but still verifying', (n) => ({ ...onVersion(n, '2.0'), state: 'updating', flowState: 'verifying' }), MIN, 'updating'],
    ['still on the old version at the timeout', (n) => n, 10 * MIN, 'updating'],
    ['still on the old version after the timeout', (n) => n, 10 * MIN + 1, 'failed'],
    ['reporting a failed flow', (n) => ({ ...n, state: 'degraded', flowState: 'failed', flowError: 'health check failed: kubelet' }), MIN, 'failed'],
    ['unreachable after the timeout', (n) => ({ ...n, state: 'unreachable' }), 10 * MIN + 1, 'failed'],
  ];
  it.each(gate)('health gate: a node %s is %s', (_name, change, after, expected) => {
    const f = new Fleet([node('n1'), node('n2')]);
    // n1 takes its reboot lock as it starts: the health timeout runs from there.
    let r = f.step(createRollout(spec({ failurePolicy: { pauseAfter: 5, rollback: false } }), f.list(), WED_NOON_UTC), WED_NOON_UTC).next;
    r = f.step(r, WED_NOON_UTC, ['n1']).next;
    f.set('n1', change);
    const p = f.step(r, WED_NOON_UTC + after);
    expect(p.next.nodes['n1']!.phase).toBe(expected);
    if (_name === 'reporting a failed flow') expect(p.next.nodes['n1']!.error).toBe('health check failed: kubelet');
    if (expected === 'failed' && after > 10 * MIN) expect(p.next.nodes['n1']!.error).toMatch(/not steady on 2\.0 within 600s/);
  });
});

describe('plan: failure policy', () => {
  const fail = (n: FleetNode): FleetNode => ({ ...n, state: 'degraded', flowState: 'failed', flowError: 'health check failed' });

  it('pauses after F failures and starts nothing more', () => {
    const f = new Fleet(ids(6).map((id) => node(id)));
    let r = createRollout(spec({ maxUnavailable: { kind: 'count', count: 2 }, failurePolicy: { pauseAfter: 2, rollback: false } }), f.list(), WED_NOON_UTC);
    r = f.step(r, WED_NOON_UTC).next;
    f.set('n01', fail);
    f.set('n02', (n) => onVersion(n, '2.0'));
    let p = f.step(r, WED_NOON_UTC + 1);
    // One failure of two allowed: it goes on (n01 is degraded, so it still takes budget).
    expect(p.next.phase).toBe('running');
    expect(p.start).toEqual(['n03']);
    r = p.next;
    f.set('n03', fail);
    p = f.step(r, WED_NOON_UTC + 2);
    expect(p.next).toMatchObject({ phase: 'paused', pausedBy: 'failure' });
    expect(p.next.reason).toMatch(/2 node\(s\) failed: n01 \(health check failed\); n03/);
    expect(p.start).toEqual([]);
    expect(p.revert).toEqual([]);
    r = p.next;
    // Paused: nothing starts however long it waits, and the failed nodes stay failed.
    for (const t of [MIN, HOUR, 24 * HOUR]) {
      p = f.step(r, WED_NOON_UTC + t);
      expect(p.start).toEqual([]);
      expect(p.next.phase).toBe('paused');
    }
  });

  it('rolls back: moved nodes get their previous version, and a reverting node is failed once back on it', () => {
    const f = new Fleet([node('n1', {}, { bootedVersion: '1.0' }), node('n2', {}, { bootedVersion: '1.1' }), node('n3'), node('n4')]);
    let r = createRollout(spec({ strategy: { kind: 'size', size: 2 }, maxUnavailable: { kind: 'count', count: 2 }, failurePolicy: { pauseAfter: 1, rollback: true } }), f.list(), WED_NOON_UTC);
    r = f.step(r, WED_NOON_UTC).next;
    f.set('n1', (n) => onVersion(n, '2.0'));
    f.set('n2', (n) => onVersion(n, '2.0'));
    // Both done, the bucket closes (no settle time) and the next one starts in the same step.
    let p = f.step(r, WED_NOON_UTC + 1);
    expect(p.next.bucket).toBe(1);
    expect(p.start).toEqual(['n3', 'n4']);
    r = p.next;
    // n3 fails after its own rollback (the agent booted 1.0 again); n4 is still updating.
    f.set('n3', fail);
    p = f.step(r, WED_NOON_UTC + 3);
    expect(p.next).toMatchObject({ phase: 'paused', pausedBy: 'failure' });
    expect(p.revert).toEqual([
      { nodeId: 'n1', version: '1.0' },
      { nodeId: 'n2', version: '1.1' },
      { nodeId: 'n3', version: '1.0' },
      { nodeId: 'n4', version: '1.0' },
    ]);
    for (const id of ['n1', 'n2', 'n3', 'n4']) expect(p.next.nodes[id]!.phase).toBe('reverting');
    r = p.next;
    // Reverting nodes take budget while they move.
    expect(progress(r)).toMatchObject({ updating: 4, failed: 0 });
    f.set('n1', (n) => onVersion(n, '1.0'));
    p = f.step(r, WED_NOON_UTC + 4);
    expect(p.next.nodes['n1']).toMatchObject({ phase: 'failed', error: 'rolled back by the failure policy; reverted to 1.0' });
    expect(p.next.nodes['n2']!.phase).toBe('reverting');
    expect(p.revert).toEqual([]);
    expect(p.next.phase).toBe('paused');
  });

  it('rolls a node whose commit has no version back to its checksum', () => {
    const f = new Fleet([node('n1', {}, { bootedVersion: '', bootedChecksum: 'deadbeef0123456789' })]);
    let r = createRollout(spec({ failurePolicy: { pauseAfter: 1, rollback: true } }), f.list(), WED_NOON_UTC);
    r = f.step(r, WED_NOON_UTC).next;
    expect(r.nodes['n1']!.previous).toBe('deadbeef0123456789');
    f.set('n1', fail);
    const p = f.step(r, WED_NOON_UTC + 1);
    expect(p.revert).toEqual([{ nodeId: 'n1', version: 'deadbeef0123456789' }]);
    // Back on that commit and steady: failed (reverted).
    f.set('n1', (n) => ({ ...n, state: 'ready', flowState: 'idle', flowError: '' }));
    expect(f.step(p.next, WED_NOON_UTC + 2).next.nodes['n1']).toMatchObject({ phase: 'failed', error: 'health check failed; reverted to deadbeef0123456789' });
  });

  it('does not revert nodes that were already on the target before the rollout', () => {
    const f = new Fleet([onVersion(node('n1'), '2.0'), node('n2')]);
    let r = createRollout(spec({ failurePolicy: { pauseAfter: 1, rollback: true } }), f.list(), WED_NOON_UTC);
    r = f.step(r, WED_NOON_UTC).next;
    f.set('n2', fail);
    const p = f.step(r, WED_NOON_UTC + 1);
    expect(p.revert).toEqual([{ nodeId: 'n2', version: '1.0' }]);
    expect(p.next.nodes['n1']!.phase).toBe('done');
  });

  it('resumes by itself when the failed nodes recover, and moves on', () => {
    const f = new Fleet(ids(3).map((id) => node(id)));
    let r = createRollout(spec({ healthTimeoutMs: 5 * MIN }), f.list(), WED_NOON_UTC);
    r = f.step(r, WED_NOON_UTC).next;
    r = f.step(r, WED_NOON_UTC, ['n01']).next;
    // n01 boots the target but a problem keeps it unhealthy past the gate.
    f.set('n01', (n) => ({ ...onVersion(n, '2.0'), state: 'degraded', activeProblems: 1 }));
    let p = f.step(r, WED_NOON_UTC + 6 * MIN);
    expect(p.next).toMatchObject({ phase: 'paused', pausedBy: 'failure' });
    r = p.next;
    p = f.step(r, WED_NOON_UTC + 7 * MIN);
    expect(p.next.phase).toBe('paused');
    r = p.next;
    // The problem clears: the rollout resumes, n01 counts as done, n02 starts.
    f.set('n01', (n) => ({ ...n, state: 'ready', activeProblems: 0 }));
    p = f.step(r, WED_NOON_UTC + 8 * MIN);
    expect(p.notes).toContain('resumed: the failed nodes recovered');
    expect(p.next.phase).toBe('running');
    expect(p.next.pausedBy).toBeUndefined();
    expect(p.next.nodes['n01']!.phase).toBe('done');
    expect(p.start).toEqual(['n02']);
  });

  it('retries a recovered node that is not on the target', () => {
    const f = new Fleet(ids(2).map((id) => node(id)));
    let r = createRollout(spec(), f.list(), WED_NOON_UTC);
    r = f.step(r, WED_NOON_UTC).next;
    f.set('n01', fail);
    r = f.step(r, WED_NOON_UTC + 1).next;
    expect(r.phase).toBe('paused');
    // An operator repaired the node (its flow is idle again on 1.0).
    f.set('n01', (n) => onVersion(n, '1.0'));
    const p = f.step(r, WED_NOON_UTC + 2);
    expect(p.next.phase).toBe('running');
    expect(p.start).toEqual(['n01']);
  });

  it('retries a recovered node of an earlier bucket before completing', () => {
    // With pause_after_failures 2, n01's failure closes bucket 1 and the rollout goes on; n02's
    // failure pauses it. Both recover off the target: both must be moved before it completes.
    const f = new Fleet(ids(3).map((id) => node(id)));
    let r = createRollout(spec({ strategy: { kind: 'size', size: 1 }, failurePolicy: { pauseAfter: 2, rollback: false } }), f.list(), WED_NOON_UTC);
    let t = WED_NOON_UTC;
    r = f.step(r, t).next;
    f.set('n01', fail);
    let p = f.step(r, ++t);
    r = p.next;
    // n01 is failed and degraded (it takes the budget): n02 waits for it.
    expect(r.bucket).toBe(1);
    expect(p.start).toEqual([]);
    f.set('n01', (n) => onVersion(n, '1.0'));
    p = f.step(r, ++t);
    expect(p.start).toEqual(['n02']);
    r = p.next;
    f.set('n02', fail);
    r = f.step(r, ++t).next;
    expect(r).toMatchObject({ phase: 'paused', pausedBy: 'failure' });
    f.set('n02', (n) => onVersion(n, '1.0'));
    const started: string[] = [];
    for (let i = 0; i < 30 && r.phase !== 'completed'; i++) {
      p = f.step(r, ++t);
      started.push(...p.start);
      for (const id of p.start) f.set(id, (n) => onVersion(n, '2.0'));
      r = p.next;
    }
    expect(r.phase).toBe('completed');
    expect(started.sort()).toEqual(['n01', 'n02', 'n03']);
    expect(Object.values(r.nodes).map((n) => n.phase)).toEqual(['done', 'done', 'done']);
  });

  it('stays paused after a rollback, even once the reverted nodes are healthy again', () => {
    // Otherwise it would send the broken target again and loop: fail, roll back, resume, fail.
    const f = new Fleet(ids(2).map((id) => node(id)));
    let r = createRollout(spec({ failurePolicy: { pauseAfter: 1, rollback: true } }), f.list(), WED_NOON_UTC);
    r = f.step(r, WED_NOON_UTC).next;
    f.set('n01', fail);
    let p = f.step(r, WED_NOON_UTC + 1);
    expect(p.revert).toEqual([{ nodeId: 'n01', version: '1.0' }]);
    r = p.next;
    // Told to go back to 1.0, the agent leaves its failed state and is steady on 1.0.
    f.set('n01', (n) => onVersion(n, '1.0'));
    for (let i = 2; i < 6; i++) {
      p = f.step(r, WED_NOON_UTC + i * MIN);
      r = p.next;
      expect(p.start).toEqual([]);
      expect(r.phase).toBe('paused');
    }
    expect(r.nodes['n01']).toMatchObject({ phase: 'failed', error: 'health check failed; reverted to 1.0' });
  });
});

describe('operator actions', () => {
  const fleet = ids(4).map((id) => node(id));
  const running = () => step(createRollout(spec(), fleet, WED_NOON_UTC), fleet, WED_NOON_UTC).next;

  it('pause stops new starts but follows the nodes in flight; resume goes on', () => {
    const paused = pauseRollout(running(), WED_NOON_UTC + 1);
    expect(paused).toMatchObject({ phase: 'paused', pausedBy: 'operator', reason: 'paused by an operator', updatedAt: WED_NOON_UTC + 1 });
    const f = [onVersion(fleet[0]!, '2.0'), ...fleet.slice(1)];
    let p = step(paused, f, WED_NOON_UTC + 2);
    expect(p.next.nodes['n01']!.phase).toBe('done');
    expect(p.start).toEqual([]);
    // An operator pause does not lift by itself.
    p = step(p.next, f, WED_NOON_UTC + HOUR);
    expect(p.next.phase).toBe('paused');
    const resumed = resumeRollout(p.next, WED_NOON_UTC + HOUR);
    expect(resumed.phase).toBe('running');
    expect(resumed.pausedBy).toBeUndefined();
    expect(resumed.reason).toBeUndefined();
    expect(step(resumed, f, WED_NOON_UTC + HOUR).start).toEqual(['n02']);
  });

  it('abort ends the rollout: nothing starts any more', () => {
    const aborted = abortRollout(running(), WED_NOON_UTC + 1);
    expect(aborted).toMatchObject({ phase: 'aborted', reason: 'aborted by an operator' });
    const p = step(aborted, [onVersion(fleet[0]!, '2.0'), ...fleet.slice(1)], WED_NOON_UTC + HOUR);
    expect(p.start).toEqual([]);
    expect(p.next).toEqual(aborted);
  });

  const refusals: Array<[string, (r: Rollout) => Rollout, RegExp]> = [
    ['pause a paused rollout', (r) => pauseRollout(pauseRollout(r, 1), 2), /is paused by an operator, not running/],
    ['pause an aborted rollout', (r) => pauseRollout(abortRollout(r, 1), 2), /is aborted, not running/],
    ['pause a rollout aborted while paused by failure', (r) => pauseRollout(abortRollout({ ...r, phase: 'paused', pausedBy: 'failure' }, 1), 2), /r1 is aborted, not running/],
    ['resume a running rollout', (r) => resumeRollout(r, 1), /is running, not paused/],
    ['resume an aborted rollout', (r) => resumeRollout(abortRollout(r, 1), 2), /is aborted, not paused/],
    ['abort an aborted rollout', (r) => abortRollout(abortRollout(r, 1), 2), /already aborted/],
    ['abort a completed rollout', (r) => abortRollout({ ...r, phase: 'completed' }, 2), /already completed/],
    ['pause a completed rollout', (r) => pauseRollout({ ...r, phase: 'completed' }, 2), /is completed, not running/],
  ];
  it.each(refusals)('refuses to %s', (_name, action, message) => {
    const r = running();
    const before = structuredClone(r);
    expect(() => action(r)).toThrow(message);
    expect(r).toEqual(before);
  });

  it('abort of a paused rollout is allowed', () => {
    expect(abortRollout(pauseRollout(running(), 1), 2).phase).toBe('aborted');
  });

  it('resume by hand after a failure pause goes on past the failed node', () => {
    const f = new Fleet(ids(3).map((id) => node(id)));
    let r = createRollout(spec({ failurePolicy: { pauseAfter: 1, rollback: false } }), f.list(), WED_NOON_UTC);
    r = f.step(r, WED_NOON_UTC).next;
    f.set('n01', (n) => ({ ...n, state: 'degraded', flowState: 'failed', flowError: 'boom' }));
    r = f.step(r, WED_NOON_UTC + 1).next;
    expect(r).toMatchObject({ phase: 'paused', pausedBy: 'failure' });
    r = resumeRollout(r, WED_NOON_UTC + 2);
    // The failed node is left as it is (and, degraded, still takes the pool's budget):
    // the rollout must not pause again on the failure it was resumed past.
    let p = f.step(r, WED_NOON_UTC + 3);
    expect(p.next.phase).toBe('running');
    expect(p.next.nodes['n01']!.phase).toBe('failed');
    expect(p.start).toEqual([]);
    // Once the degraded node is out of the way (repaired on 1.0), n02 starts; n01 is not retried.
    f.set('n01', (n) => onVersion(n, '1.0'));
    p = f.step(p.next, WED_NOON_UTC + 4);
    expect(p.next.phase).toBe('running');
    expect(p.start).toEqual(['n02']);
    // A new failure pauses it again.
    f.set('n02', (n) => ({ ...n, state: 'degraded', flowState: 'failed', flowError: 'boom again' }));
    p = f.step(p.next, WED_NOON_UTC + 5);
    expect(p.next).toMatchObject({ phase: 'paused', pausedBy: 'failure' });
    expect(p.next.reason).toMatch(/1 node\(s\) failed: n02 \(boom again\)/);
  });
});

describe('plan: simulated runs', () => {
  interface SimNode {
    node: FleetNode;
    /** Ticks until its reboot finishes (when moving). */
    busyUntil?: number;
    target?: string;
    /** Failed its first attempt; an operator repairs it (back on its old version) at this tick. */
    repairAt?: number;
    attempts?: number;
  }

  /**
   * A tiny pure simulation: nodes told a target reboot for a few ticks (holding
   * a lock slot meanwhile, as the agent does), other nodes degrade and FleetLock
   * clients take slots at random (seeded). After every tick the invariant is
   * checked: the planner never starts a node that brings its pool over budget,
   * and the rollout's own nodes in flight never exceed the budget.
   */
  function simulate(opts: { nodes: number; pools: number; racks: number; max: MaxUnavailable; strategy: BucketStrategy; seed: number; ticks: number; tickMs?: number; windows?: string[]; settleMs?: number; failRate?: number }) {
    let seed = opts.seed;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const sim = new Map<string, SimNode>();
    for (let i = 0; i < opts.nodes; i++) {
      const id = `n${String(i).padStart(4, '0')}`;
      // A tenth of the fleet is outside the rollout (Zincati nodes speaking FleetLock).
      const outside = i % 10 === 9;
      sim.set(id, { node: node(id, { pool: `p${i % opts.pools}`, rack: `r${Math.floor(i / 7) % opts.racks}`, role: outside ? 'zincati' : 'os' }) });
    }
    const s: RolloutSpec = spec({
      selector: { role: ['os'] },
      strategy: opts.strategy,
      maxUnavailable: opts.max,
      windows: (opts.windows ?? []).map((w) => parseWindow(w)),
      settleMs: opts.settleMs ?? 0,
      healthTimeoutMs: 10 * HOUR,
    });
    const fleet = () => new Map([...sim].map(([id, n]) => [id, n.node]));
    let r = createRollout(s, [...fleet().values()], WED_NOON_UTC);
    const started: string[] = [];
    const holders = new Set<string>();
    let maxInFlight = 0;
    let t = WED_NOON_UTC;
    const poolSize = new Map<string, number>();
    for (const n of sim.values()) poolSize.set(n.node.labels['pool']!, (poolSize.get(n.node.labels['pool']!) ?? 0) + 1);
    let tick = 0;
    let pauses = 0;
    for (; tick < opts.ticks && r.phase !== 'completed'; tick++) {
      t += opts.tickMs ?? MIN;
      // The world moves: reboots finish, outsiders take and give back slots, nodes degrade and heal.
      for (const [id, n] of sim) {
        if (n.target !== undefined && n.busyUntil !== undefined && tick >= n.busyUntil) {
          if (n.attempts === 1 && random() < (opts.failRate ?? 0)) {
            // Its health check failed: the agent rolled back and reports the failure.
            n.node = { ...n.node, state: 'degraded', flowState: 'failed', flowError: 'health check failed' };
            n.repairAt = tick + 3;
          } else n.node = onVersion(n.node, n.target);
          delete n.target;
          delete n.busyUntil;
          holders.delete(id);
        }
        if (n.repairAt !== undefined && tick >= n.repairAt) {
          n.node = onVersion(n.node, n.node.bootedVersion);
          delete n.repairAt;
        }
        if (n.node.labels['role'] === 'zincati') {
          if (holders.has(id) && random() < 0.3) holders.delete(id);
          else if (random() < 0.05) holders.add(id);
        } else if (n.target === undefined && n.node.state === 'ready' && random() < 0.01) n.node = { ...n.node, state: 'degraded', activeProblems: 1 };
        else if (n.node.state === 'degraded' && random() < 0.2) n.node = { ...n.node, state: 'ready', activeProblems: 0 };
      }
      const p = plan({ rollout: r, fleet: fleet(), lockHolders: new Set(holders), now: t });
      if (p.next.phase === 'paused' && r.phase !== 'paused') pauses++;
      r = p.next;
      started.push(...p.start);
      for (const id of p.start) {
        const n = sim.get(id)!;
        n.target = s.target;
        n.busyUntil = tick + 2 + Math.floor(random() * 4);
        n.attempts = (n.attempts ?? 0) + 1;
        n.node = { ...n.node, state: 'updating', flowState: 'pending' };
        holders.add(id);
      }
      // The invariant, per pool, right after the starts.
      const down = new Map<string, Set<string>>();
      const inFlight = new Map<string, number>();
      for (const [id, n] of sim) {
        const pool = n.node.labels['pool']!;
        if (n.node.state !== 'ready' || holders.has(id) || r.nodes[id]?.phase === 'updating') down.set(pool, (down.get(pool) ?? new Set()).add(id));
        if (r.nodes[id]?.phase === 'updating') inFlight.set(pool, (inFlight.get(pool) ?? 0) + 1);
      }
      for (const [pool, size] of poolSize) {
        const budget = budgetFor(size, s.maxUnavailable);
        const startedHere = p.start.filter((id) => sim.get(id)!.node.labels['pool'] === pool).length;
        if (startedHere > 0) expect(down.get(pool)?.size ?? 0, `pool ${pool} at tick ${tick}`).toBeLessThanOrEqual(budget);
        expect(inFlight.get(pool) ?? 0, `pool ${pool} in flight at tick ${tick}`).toBeLessThanOrEqual(budget);
        maxInFlight = Math.max(maxInFlight, inFlight.get(pool) ?? 0);
      }
      // Within the windows only.
      if (p.start.length > 0 && s.windows.length > 0) expect(s.windows.some((w) => inWindow(w, t))).toBe(true);
      // Only the current bucket starts.
      const current = new Set(r.buckets[r.bucket]?.nodes ?? []);
      for (const id of p.start) expect(current.has(id)).toBe(true);
    }
    return { r, started, tick, maxInFlight, pauses, selected: [...sim.values()].filter((n) => n.node.labels['role'] === 'os').map((n) => n.node.nodeId) };
  }

  const runs: Array<[string, Parameters<typeof simulate>[0]]> = [
    ['200 nodes, 3 pools, by rack, 10%', { nodes: 200, pools: 3, racks: 5, max: { kind: 'percent', percent: 10 }, strategy: { kind: 'by-label', label: 'rack' }, seed: 1, ticks: 2000 }],
    ['80 nodes, 2 pools, size:20, count 3', { nodes: 80, pools: 2, racks: 4, max: { kind: 'count', count: 3 }, strategy: { kind: 'size', size: 20 }, seed: 7, ticks: 2000, settleMs: 3 * MIN }],
    ['30 nodes, 1 pool, percent:20 buckets, 1 unavailable', { nodes: 30, pools: 1, racks: 2, max: { kind: 'count', count: 1 }, strategy: { kind: 'percent', percent: 20 }, seed: 42, ticks: 3000 }],
    ['80 nodes, 4 pools, windows across midnight', { nodes: 80, pools: 4, racks: 3, max: { kind: 'percent', percent: 50 }, strategy: { kind: 'by-label', label: 'rack' }, seed: 3, ticks: 5000, tickMs: 10 * MIN, windows: ['Wed-Fri 22:00-02:00 Europe/Berlin'] }],
  ];
  it.each(runs)('%s: never over budget, no node started twice, completes', (_name, opts) => {
    const { r, started, maxInFlight, selected } = simulate(opts);
    expect(r.phase).toBe('completed');
    expect(new Set(started).size).toBe(started.length);
    expect([...started].sort()).toEqual([...selected].sort());
    expect(progress(r)).toMatchObject({ total: selected.length, done: selected.length, failed: 0 });
    // The budget is actually used (the run is not trivially serial).
    if (opts.max.kind === 'percent' || opts.max.count > 1) expect(maxInFlight).toBeGreaterThan(1);
  });

  it('with failures: pauses, resumes by itself as failed nodes are repaired, retries them once, never over budget', () => {
    const { r, started, pauses, selected } = simulate({ nodes: 60, pools: 2, racks: 4, max: { kind: 'count', count: 3 }, strategy: { kind: 'by-label', label: 'rack' }, seed: 11, ticks: 3000, failRate: 0.1 });
    expect(r.phase).toBe('completed');
    expect(pauses).toBeGreaterThan(0);
    const counts = new Map<string, number>();
    for (const id of started) counts.set(id, (counts.get(id) ?? 0) + 1);
    const retried = [...counts].filter(([, c]) => c > 1);
    // Every pause came from a failed first attempt, and a node is retried at most once.
    expect(retried.length).toBeGreaterThanOrEqual(pauses);
    expect(retried.every(([, c]) => c === 2)).toBe(true);
    expect(new Set(started)).toEqual(new Set(selected));
    expect(progress(r)).toMatchObject({ done: selected.length, failed: 0 });
  });

  it('repeated plan() calls over an unchanged fleet start nothing twice', () => {
    const fleet = ids(8).map((id) => node(id));
    let r = createRollout(spec({ maxUnavailable: { kind: 'count', count: 3 } }), fleet, WED_NOON_UTC);
    const starts: string[] = [];
    for (let i = 0; i < 20; i++) {
      const p = step(r, fleet, WED_NOON_UTC + i * 1000);
      starts.push(...p.start);
      r = p.next;
    }
    expect(starts).toEqual(['n01', 'n02', 'n03']);
  });

  it('does not mutate its input', () => {
    const fleet = ids(3).map((id) => node(id));
    const r = createRollout(spec(), fleet, WED_NOON_UTC);
    const before = structuredClone(r);
    step(r, fleet, WED_NOON_UTC);
    expect(r).toEqual(before);
  });
});


describe('operator actions and the failure policy', () => {
  const fail = (error: string) => (n: FleetNode): FleetNode => ({ ...n, state: 'degraded', flowState: 'failed', flowError: error });

  it('pausing a failure pause holds it: no resume by itself until resumed by hand', () => {
    const f = new Fleet(ids(3).map((id) => node(id)));
    let r = createRollout(spec(), f.list(), WED_NOON_UTC);
    r = f.step(r, WED_NOON_UTC).next;
    f.set('n01', fail('boom'));
    r = f.step(r, WED_NOON_UTC + 1).next;
    expect(r.pausedBy).toBe('failure');
    r = pauseRollout(r, WED_NOON_UTC + 2);
    expect(r).toMatchObject({ phase: 'paused', pausedBy: 'operator', reason: 'held by an operator; 1 node(s) failed: n01 (boom)' });
    // The operator repairs n01 on its old version: the rollout must not send it the target again.
    f.set('n01', (n) => onVersion(n, '1.0'));
    for (let i = 3; i < 6; i++) {
      const p = f.step(r, WED_NOON_UTC + i);
      expect(p.start).toEqual([]);
      r = p.next;
    }
    expect(r.phase).toBe('paused');
    expect(() => pauseRollout(r, WED_NOON_UTC + 7)).toThrow(/is paused by an operator, not running/);
    r = resumeRollout(r, WED_NOON_UTC + 8);
    const p = f.step(r, WED_NOON_UTC + 9);
    expect(p.next.phase).toBe('running');
    expect(p.next.nodes['n01']).toMatchObject({ phase: 'failed', forgiven: true });
    expect(p.start).toEqual(['n02']);
  });

  it('a hand resume forgives nothing below the limit: failures keep counting', () => {
    const f = new Fleet(ids(4).map((id) => node(id)));
    let r = createRollout(spec({ maxUnavailable: { kind: 'count', count: 2 }, failurePolicy: { pauseAfter: 2, rollback: false } }), f.list(), WED_NOON_UTC);
    r = f.step(r, WED_NOON_UTC).next;
    f.set('n01', fail('first'));
    r = f.step(r, WED_NOON_UTC + 1).next;
    expect(r.phase).toBe('running');
    r = resumeRollout(pauseRollout(r, WED_NOON_UTC + 2), WED_NOON_UTC + 3);
    expect(r.nodes['n01']!.forgiven).toBeUndefined();
    f.set('n02', fail('second'));
    const p = f.step(r, WED_NOON_UTC + 4);
    expect(p.next).toMatchObject({ phase: 'paused', pausedBy: 'failure' });
    expect(p.next.reason).toMatch(/^2 node\(s\) failed: n01 \(first\); n02 \(second\)/);
  });

  it('a node failing during an operator pause pauses the rollout by failure once resumed', () => {
    const f = new Fleet(ids(3).map((id) => node(id)));
    let r = createRollout(spec(), f.list(), WED_NOON_UTC);
    r = f.step(r, WED_NOON_UTC).next;
    r = pauseRollout(r, WED_NOON_UTC + 1);
    f.set('n01', fail('boom'));
    r = f.step(r, WED_NOON_UTC + 2).next;
    expect(r.nodes['n01']!.phase).toBe('failed');
    expect(r.pausedBy).toBe('operator');
    // That failure reached the limit: the operator resuming sees it and goes past it.
    r = resumeRollout(r, WED_NOON_UTC + 3);
    expect(r.nodes['n01']!.forgiven).toBe(true);
  });

  it('progress counts nodes per phase and per bucket', () => {
    const f = new Fleet([node('a1', { rack: 'r1' }), node('a2', { rack: 'r1' }), node('b1', { rack: 'r2' })]);
    let r = createRollout(spec({ strategy: { kind: 'by-label', label: 'rack' }, maxUnavailable: { kind: 'count', count: 1 }, failurePolicy: { pauseAfter: 5, rollback: false } }), f.list(), WED_NOON_UTC);
    r = f.step(r, WED_NOON_UTC).next;
    f.set('a1', (n) => onVersion(n, '2.0'));
    r = f.step(r, WED_NOON_UTC + 1).next;
    f.set('a2', fail('boom'));
    r = f.step(r, WED_NOON_UTC + 2).next;
    expect(progress(r)).toEqual({
      total: 3,
      done: 1,
      updating: 0,
      failed: 1,
      waiting: 1,
      skipped: 0,
      buckets: [
        { name: 'rack=r1', total: 2, done: 1, failed: 1, updating: 0 },
        { name: 'rack=r2', total: 1, done: 0, failed: 0, updating: 0 },
      ],
    });
  });
});
