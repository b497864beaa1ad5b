// Planner changes of issue 14: the health timeout runs from the lock, nodes on
// the target are done without a reboot whatever else ails them, excluded and
// removed nodes are skipped, budget holders are named, and `message` says why
// nothing moves.
import { describe, expect, it } from 'vitest';
import { createRollout, plan, type FleetNode } from '../../coordinator/rollout/planner.js';
import { budgetHolders } from '../../coordinator/rollout/budget.js';
import { dryRun, nodeUpdateMs, DEFAULT_NODE_UPDATE_MS } from '../../coordinator/rollout/dry-run.js';
import { poolViews } from '../../coordinator/rollout/pools.js';
import type { Rollout } from '../../coordinator/rollout/types.js';
import { MIN, WED_NOON_UTC, fleetOf, node, onVersion, spec } from './helpers.js';

const T = WED_NOON_UTC;
const step = (r: Rollout, nodes: FleetNode[], now: number, holders: Map<string, number> | string[] = []) =>
  plan({ rollout: r, fleet: fleetOf(nodes), lockHolders: Array.isArray(holders) ? new Set(holders) : holders, now });

describe('health timeout', () => {
  it('runs from when the node takes its lock, not while it waits for a slot', () => {
    const nodes = [node('n1')];
    let r = step(createRollout(spec({ healthTimeoutMs: 10 * MIN }), nodes, T), nodes, T).next;
    // Waiting for a slot (pending) far longer than the timeout: still updating.
    const waiting: FleetNode[] = [{ ...nodes[0]!, state: 'updating', flowState: 'locking', flowError: 'lock busy: held by x' }];
    r = step(r, waiting, T + 60 * MIN).next;
    expect(r.nodes['n1']).toMatchObject({ phase: 'updating' });
    expect(r.nodes['n1']!.lockedAt).toBeUndefined();
    expect(r.message).toBe('waiting for n1 to take a reboot lock (locking: lock busy: held by x)');
    // It takes the lock: the clock starts.
    const locked: FleetNode[] = [{ ...waiting[0]!, flowState: 'locked', flowError: '' }];
    r = step(r, locked, T + 61 * MIN).next;
    expect(r.nodes['n1']!.lockedAt).toBe(T + 61 * MIN);
    expect(r.message).toBe('waiting for n1 to report steady on 2.0 (locked; health timeout at 2026-01-07T13:11:00Z)');
    expect(step(r, locked, T + 71 * MIN).next.nodes['n1']!.phase).toBe('updating');
    const timedOut = step(r, locked, T + 71 * MIN + 1).next.nodes['n1']!;
    expect(timedOut).toMatchObject({ phase: 'failed', error: expect.stringMatching(/not steady on 2\.0 within 600s of taking its reboot lock/) });
  });

  it('a node seen holding a lock slot has taken it', () => {
    const nodes = [node('n1')];
    let r = step(createRollout(spec(), nodes, T), nodes, T).next;
    r = step(r, [{ ...nodes[0]!, state: 'updating', flowState: 'locking' }], T + MIN, ['n1']).next;
    expect(r.nodes['n1']!.lockedAt).toBe(T + MIN);
  });
});

describe('done without a reboot', () => {
  it('a node already on the target is done even when degraded for another reason, in any bucket, without budget', () => {
    const failedEarlier: FleetNode = { ...onVersion(node('n1'), '2.0'), state: 'degraded', flowState: 'failed', flowError: 'health checks failed: 3.0' };
    const withProblem: FleetNode = { ...onVersion(node('n2'), '2.0'), state: 'degraded', activeProblems: 1 };
    const nodes = [failedEarlier, withProblem, onVersion(node('n3'), '2.0')];
    const p = step(createRollout(spec({ strategy: { kind: 'size', size: 1 } }), nodes, T), nodes, T);
    expect(p.start).toEqual([]);
    expect(Object.values(p.next.nodes).map((n) => [n.phase, n.noReboot])).toEqual([
      ['done', true],
      ['done', true],
      ['done', true],
    ]);
    expect(p.next.phase).toBe('completed');
  });

  it('but not a node still in flight or unreachable', () => {
    const nodes: FleetNode[] = [{ ...onVersion(node('n1'), '2.0'), state: 'updating', flowState: 'pending' }, { ...onVersion(node('n2'), '2.0'), state: 'unreachable' }];
    const p = step(createRollout(spec(), nodes, T), nodes, T);
    expect(Object.values(p.next.nodes).map((n) => n.phase)).toEqual(['waiting', 'waiting']);
  });
});

describe('excluded and removed nodes', () => {
  it('are skipped, do not hold the rollout, and come back when included', () => {
    const nodes = [node('n1', {}, { excluded: 'disk swap' }), node('n2')];
    let p = step(createRollout(spec({ maxUnavailable: { kind: 'count', count: 1 } }), nodes, T), nodes, T);
    expect(p.next.nodes['n1']).toMatchObject({ phase: 'skipped', error: 'excluded: disk swap' });
    // An excluded node that is not down does not take the budget: n2 starts.
    expect(p.start).toEqual(['n2']);
    p = step(p.next, [nodes[0]!, onVersion(nodes[1]!, '2.0')], T + 1);
    expect(p.next.phase).toBe('completed');
    // Included again while the rollout runs: it goes back into play, in its own bucket.
    let q = step(createRollout(spec({ strategy: { kind: 'size', size: 1 } }), nodes, T), nodes, T);
    expect([q.next.nodes['n1']!.phase, q.start]).toEqual(['skipped', ['n2']]);
    const included = [node('n1'), nodes[1]!];
    q = step(q.next, included, T + 1);
    expect([q.next.nodes['n1']!.phase, q.next.bucket, q.start]).toEqual(['waiting', 0, []]);
    q = step(q.next, [included[0]!, onVersion(nodes[1]!, '2.0')], T + 2);
    expect(q.start).toEqual(['n1']);
  });

  it('an excluded node counts against the budget only when it is down', () => {
    const fleet = fleetOf([node('n1', {}, { excluded: 'x', state: 'degraded' }), node('n2', {}, { excluded: 'y', state: 'unreachable', stateSince: T - MIN })]);
    const held = budgetHolders({ poolLabel: 'pool', fleet, lockHolders: new Set(), moving: new Map() });
    expect([...(held.get('workers')?.values() ?? [])]).toEqual([{ nodeId: 'n2', why: 'unreachable', since: T - MIN }]);
  });

  it('a node removed from the fleet is skipped', () => {
    const nodes = [node('n1'), node('n2')];
    const p = step(createRollout(spec({ maxUnavailable: { kind: 'count', count: 2 } }), nodes, T), [nodes[1]!], T);
    expect(p.next.nodes['n1']).toMatchObject({ phase: 'skipped', error: 'not in the fleet (removed)' });
  });
});

describe('message: why nothing moves', () => {
  it('names the budget holders, why and since when', () => {
    const nodes = [node('n1'), node('n2', {}, { state: 'degraded', flowState: 'failed', flowError: 'health checks failed: kubelet' }), node('n3')];
    const p = step(createRollout(spec({ selector: { rack: ['r1'] } }), nodes.map((n) => ({ ...n, labels: { ...n.labels, rack: n.nodeId === 'n2' ? 'r2' : 'r1' } })), T), nodes, T, new Map([['zincati-7', T - 5 * MIN]]));
    expect(p.start).toEqual([]);
    expect(p.next.message).toBe(
      'pool workers: budget 1 used by n2 (degraded (failed): health checks failed: kubelet), zincati-7 (holds a reboot lock (a node this coordinator does not know), since 2026-01-07T11:55:00Z)',
    );
  });

  it('names the settle time and the pause reason', () => {
    const nodes = [node('n1'), node('n2')];
    let r = step(createRollout(spec({ strategy: { kind: 'size', size: 1 }, settleMs: 5 * MIN }), nodes, T), nodes, T).next;
    r = step(r, [onVersion(nodes[0]!, '2.0'), nodes[1]!], T + MIN).next;
    expect(r.message).toBe('bucket bucket-1 done; settling until 2026-01-07T12:06:00Z');
    const failing = createRollout(spec(), nodes, T);
    let f = step(failing, nodes, T).next;
    f = step(f, [{ ...nodes[0]!, state: 'degraded', flowState: 'failed', flowError: 'staging 9.9: target "9.9" matches no version' }, nodes[1]!], T + 1).next;
    expect(f.phase).toBe('paused');
    expect(f.message).toBe('paused by failure: 1 node(s) failed: n01 (staging 9.9: target "9.9" matches no version)'.replace('n01', 'n1'));
  });
});

describe('dry run and the time model', () => {
  it('plans buckets and waves within each pool budget, and the expected duration', () => {
    const nodes = fleetOf([
      node('a1', { rack: 'r1' }),
      node('a2', { rack: 'r1' }),
      node('a3', { rack: 'r1' }),
      onVersion(node('b1', { rack: 'r2' }), '2.0'),
      node('b2', { rack: 'r2' }, { excluded: 'x' }),
      node('c1', { rack: 'r3', pool: 'infra' }),
    ]);
    const d = dryRun(spec({ strategy: { kind: 'by-label', label: 'rack' }, maxUnavailable: { kind: 'count', count: 2 }, settleMs: MIN }), nodes, 4 * MIN, T);
    expect(d.buckets).toEqual([
      { name: 'rack=r1', waves: [['a1', 'a2'], ['a3']], alreadyDone: [], excluded: [] },
      { name: 'rack=r2', waves: [], alreadyDone: ['b1'], excluded: ['b2'] },
      { name: 'rack=r3', waves: [['c1']], alreadyDone: [], excluded: [] },
    ]);
    expect(d.expectedMs).toBe(3 * 4 * MIN + 3 * MIN);
  });

  it('learns one node update from earlier rollouts (median), else a default', () => {
    expect(nodeUpdateMs([])).toBe(DEFAULT_NODE_UPDATE_MS);
    const r = createRollout(spec(), [node('n1'), node('n2'), node('n3')], T);
    r.nodes = {
      n1: { phase: 'done', since: T + 3 * MIN, startedAt: T },
      n2: { phase: 'done', since: T + 9 * MIN, startedAt: T },
      n3: { phase: 'done', since: T + 4 * MIN, startedAt: T },
      n4: { phase: 'done', since: T, startedAt: T - 50 * MIN, noReboot: true },
    };
    expect(nodeUpdateMs([r])).toBe(4 * MIN);
  });
});

describe('pools', () => {
  it('counts nodes by state, versions, the rollout moving the pool and who uses its budget', () => {
    const fleet = fleetOf([node('n1'), node('n2', {}, { state: 'degraded', flowError: 'boom' }), node('n3', {}, { excluded: 'swap' }), onVersion(node('n4'), '2.0')]);
    const r = createRollout(spec({ maxUnavailable: { kind: 'count', count: 2 } }), [...fleet.values()], T);
    r.nodes['n1'] = { phase: 'updating', since: T, startedAt: T };
    const [workers] = poolViews({ poolLabel: 'pool', fleet, lockHolders: new Map([['n1', T + 1]]), rollouts: [{ ...r, nodeIds: Object.keys(r.nodes) }], moving: new Map([['n1', { rollout: 'r1', target: '2.0', since: T }]]) });
    expect(workers).toEqual({
      name: 'workers',
      nodes: 4,
      ready: 2,
      updating: 0,
      degraded: 1,
      excluded: 1,
      unreachable: 0,
      versions: { '1.0': 3, '2.0': 1 },
      rollout: 'r1',
      budget: 2,
      usedBy: [
        { nodeId: 'n1', why: 'updating to 2.0 (rollout r1)', since: T },
        { nodeId: 'n2', why: 'degraded: boom' },
      ],
      configTarget: '',
      configs: { none: 4 },
    });
  });
});
