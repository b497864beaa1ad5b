// The escalation ladder as a pure step: when a remediation starts, how it
// escalates (failed, timed out), what the budget, the storm guard, a pause and
// the per-node rate limit hold back, and when it ends.
import { describe, expect, it } from 'vitest';
import { parseRemediationPolicySpec } from '../../common/api/kinds/remediation-policy.js';
import { emptyRemediation, stepLadder, type NodeNow, type PoolGate } from '../../coordinator/remediation/ladder.js';
import { isStorm } from '../../coordinator/remediation/storm.js';
import type { NodeRemediation } from '../../coordinator/remediation/types.js';
import { unhealthyOf } from '../../coordinator/remediation/unhealthy.js';

const T0 = Date.UTC(2026, 0, 7, 12, 0);
const MIN = 60_000;
const HOUR = 60 * MIN;

const policy = parseRemediationPolicySpec({
  conditions: [{ type: 'KernelDeadlock', for: '5m' }],
  unreachableFor: '10m',
  steps: [{ action: 'restart-unit', unit: 'kubelet.service', timeout: '5m' }, { action: 'reboot', timeout: '20m' }, { action: 'reprovision', webhook: 'http://provisioner.example/hook' }],
  maxReboots: 2,
  rebootWindow: '6h',
});

const open: PoolGate = { mayDisrupt: true };
const sick = (since = T0): NodeNow['unhealthy'] => ({ condition: 'KernelDeadlock', since, dueAt: since + 5 * MIN });
const node = (over: Partial<NodeNow> = {}): NodeNow => ({ nodeId: 'n1', pool: 'workers', policyName: 'p', unhealthy: sick(), result: undefined, ...over });

/** Runs the ladder from empty to the given time with a node that stays sick, answering each order as `answer` says. */
function climb(until: number, answer: 'none' | 'succeeded' | 'failed' = 'succeeded', start: NodeRemediation = emptyRemediation('n1'), gate: PoolGate = open) {
  let r = start;
  const orders: string[] = [];
  let result: NodeNow['result'];
  for (let t = T0; t <= until; t += MIN) {
    const s = stepLadder(policy, r, node({ result }), gate, t);
    r = s.next;
    if (s.order && !orders.includes(`${s.order.id} ${s.order.action}`)) orders.push(`${s.order.id} ${s.order.action}`);
    if (s.order && answer !== 'none') result = { id: s.order.id, state: answer, message: answer === 'failed' ? 'unit not found' : '' };
  }
  return { r, orders };
}

describe('remediation ladder', () => {
  it('waits for the condition to hold for `for`, then orders the first step', () => {
    const before = stepLadder(policy, emptyRemediation('n1'), node(), open, T0 + 4 * MIN);
    expect(before.order).toBeUndefined();
    expect(before.next.active).toBeUndefined();
    expect(before.waiting).toMatch(/acts at 2026-01-07T12:05:00/);
    const due = stepLadder(policy, emptyRemediation('n1'), node(), open, T0 + 5 * MIN);
    expect(due.order).toEqual({ id: 'n1/1/0', action: 'restart-unit', unit: 'kubelet.service', condition: 'KernelDeadlock' });
    expect(due.next.active).toMatchObject({ step: 0, attempts: 1, deadline: T0 + 10 * MIN });
    expect(due.next.history.map((h) => h.event)).toEqual(['started', 'step']);
  });

  it('re-sends an order until the agent answers it, then only waits', () => {
    const first = stepLadder(policy, emptyRemediation('n1'), node(), open, T0 + 5 * MIN).next;
    expect(stepLadder(policy, first, node(), open, T0 + 6 * MIN).order?.id).toBe('n1/1/0');
    const answered = stepLadder(policy, first, node({ result: { id: 'n1/1/0', state: 'running', message: '' } }), open, T0 + 6 * MIN);
    expect(answered.order).toBeUndefined();
    expect(answered.next.active?.result?.state).toBe('running');
  });

  it('ends when the condition clears after a step', () => {
    const first = stepLadder(policy, emptyRemediation('n1'), node(), open, T0 + 5 * MIN).next;
    const done = stepLadder(policy, first, node({ unhealthy: undefined, result: { id: 'n1/1/0', state: 'succeeded', message: '' } }), open, T0 + 6 * MIN);
    expect(done.next.active).toBeUndefined();
    expect(done.outcomes).toEqual([{ outcome: 'repaired', action: 'restart-unit', message: 'KernelDeadlock cleared after restart-unit kubelet.service (step 1)' }]);
  });

  it('keeps a reboot until it has finished even when the condition clears meanwhile', () => {
    const { r } = climb(T0 + 10 * MIN);
    expect(r.active?.action).toBe('reboot');
    const running = stepLadder(policy, r, node({ unhealthy: undefined, result: { id: 'n1/1/1', state: 'running', message: '' } }), open, T0 + 11 * MIN);
    expect(running.next.active?.action).toBe('reboot');
    const finished = stepLadder(policy, running.next, node({ unhealthy: undefined, result: { id: 'n1/1/1', state: 'succeeded', message: '' } }), open, T0 + 12 * MIN);
    expect(finished.next.active).toBeUndefined();
  });

  it('escalates at the timeout: restart-unit, reboot, then reprovision (cordon), each ordered once', () => {
    const { r, orders } = climb(T0 + 2 * HOUR);
    expect(orders).toEqual(['n1/1/0 restart-unit', 'n1/1/1 reboot', 'n1/1/2 cordon']);
    expect(r.active).toMatchObject({ action: 'reprovision', attempts: 3 });
    expect(r.needsReprovision?.condition).toBe('KernelDeadlock');
    expect(r.reboots).toEqual([T0 + 10 * MIN]);
  });

  it('escalates at once when the agent says a step failed', () => {
    const { orders } = climb(T0 + 6 * MIN, 'failed');
    expect(orders).toEqual(['n1/1/0 restart-unit', 'n1/1/1 reboot']);
  });

  it('waits for the budget before a reboot, recording nothing, then takes it', () => {
    const first = stepLadder(policy, emptyRemediation('n1'), node(), open, T0 + 5 * MIN).next;
    const full = stepLadder(policy, first, node({ result: { id: 'n1/1/0', state: 'succeeded', message: '' } }), { mayDisrupt: false }, T0 + 11 * MIN);
    expect(full.order).toBeUndefined();
    expect(full.waiting).toMatch(/reboot waits for the pool's disruption budget/);
    expect(full.next.active?.action).toBe('restart-unit');
    expect(full.next.reboots).toEqual([]);
    const room = stepLadder(policy, full.next, node({ result: { id: 'n1/1/0', state: 'succeeded', message: '' } }), open, T0 + 12 * MIN);
    expect(room.order).toMatchObject({ id: 'n1/1/1', action: 'reboot' });
  });

  it('goes past the reboot to reprovision when the node had maxReboots reboots within the window', () => {
    const start: NodeRemediation = { ...emptyRemediation('n1'), episodes: 4, reboots: [T0 - 5 * HOUR, T0 - HOUR] };
    const { r, orders } = climb(T0 + HOUR, 'succeeded', start);
    expect(orders).toEqual(['n1/5/0 restart-unit', 'n1/5/2 cordon']);
    expect(r.history.map((h) => h.event)).toContain('rate-limited');
    // Outside the window they no longer count.
    const later: NodeRemediation = { ...emptyRemediation('n1'), reboots: [T0 - 7 * HOUR, T0 - 6.5 * HOUR] };
    expect(climb(T0 + 20 * MIN, 'succeeded', later).orders).toEqual(['n1/1/0 restart-unit', 'n1/1/1 reboot']);
  });

  it('gives up to a person when the ladder has no step left, and starts again only once the node was healthy', () => {
    const short = parseRemediationPolicySpec({ conditions: [{ type: 'KernelDeadlock', for: '5m' }], steps: [{ action: 'restart-unit', unit: 'kubelet.service', timeout: '5m' }] });
    let r = stepLadder(short, emptyRemediation('n1'), node(), open, T0 + 5 * MIN).next;
    const spent = stepLadder(short, r, node({ result: { id: 'n1/1/0', state: 'succeeded', message: '' } }), open, T0 + 10 * MIN);
    expect(spent.outcomes.map((o) => o.outcome)).toEqual(['timed-out', 'given-up']);
    r = spent.next;
    expect(r.active).toBeUndefined();
    expect(stepLadder(short, r, node(), open, T0 + HOUR).order).toBeUndefined();
    r = stepLadder(short, r, node({ unhealthy: undefined }), open, T0 + HOUR).next;
    expect(r.needsReprovision).toBeUndefined();
    expect(stepLadder(short, r, node({ unhealthy: sick(T0 + HOUR) }), open, T0 + HOUR + 5 * MIN).order?.id).toBe('n1/2/0');
  });

  it('starts nothing and escalates nothing while the pool is held, an operator excluded the node or a rollout moves it', () => {
    for (const [gate, extra] of [[{ held: 'storm: 40 of 100', mayDisrupt: true }, {}], [open, { untouchable: 'excluded: disk swap' }], [open, { untouchable: 'rollout r1 is moving it' }]] as const) {
      const s = stepLadder(policy, emptyRemediation('n1'), node(extra), gate, T0 + HOUR);
      expect(s.order).toBeUndefined();
      expect(s.next.active).toBeUndefined();
    }
    const first = stepLadder(policy, emptyRemediation('n1'), node(), open, T0 + 5 * MIN).next;
    const held = stepLadder(policy, first, node({ result: { id: 'n1/1/0', state: 'succeeded', message: '' } }), { held: 'remediation paused in pool workers', mayDisrupt: true }, T0 + HOUR);
    expect(held.next.active?.action).toBe('restart-unit');
    expect(held.waiting).toMatch(/next step held: remediation paused/);
  });
});

describe('unhealthy and the storm guard', () => {
  it('takes the condition due first; a silent node is unhealthy after unreachableFor', () => {
    const facts = { conditions: [{ type: 'KernelDeadlock', status: true, transition_unix_ms: T0 }, { type: 'Other', status: true, transition_unix_ms: T0 - HOUR }], unreachable: false, lastSeen: T0 };
    expect(unhealthyOf(policy, facts, () => 0)).toEqual({ condition: 'KernelDeadlock', since: T0, dueAt: T0 + 5 * MIN });
    expect(unhealthyOf(policy, { ...facts, conditions: [{ type: 'KernelDeadlock', status: false, transition_unix_ms: T0 }] }, () => 0)).toBeUndefined();
    expect(unhealthyOf(policy, { conditions: [], unreachable: true, lastSeen: T0 }, () => 0)).toEqual({ condition: 'Unreachable', since: T0, dueAt: T0 + 10 * MIN });
    // No transition time (an older agent): from when the coordinator first saw it.
    expect(unhealthyOf(policy, { ...facts, conditions: [{ type: 'KernelDeadlock', status: true, transition_unix_ms: 0 }] }, () => T0 + MIN)?.since).toBe(T0 + MIN);
  });

  it('holds a pool with more unhealthy nodes than maxUnhealthy', () => {
    expect(isStorm(20, 100, { kind: 'percent', percent: 20 })).toBe(false);
    expect(isStorm(21, 100, { kind: 'percent', percent: 20 })).toBe(true);
    expect(isStorm(3, 100, { kind: 'count', count: 3 })).toBe(false);
    expect(isStorm(4, 100, { kind: 'count', count: 3 })).toBe(true);
    // A small pool may still repair one node.
    expect(isStorm(1, 3, { kind: 'percent', percent: 20 })).toBe(false);
  });
});
