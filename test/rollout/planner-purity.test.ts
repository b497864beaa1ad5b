// plan() copies only what it changes: the rollout it is given must come out untouched.
import { describe, expect, it } from 'vitest';
import { createRollout, plan } from '../../coordinator/rollout/planner.js';
import type { Rollout } from '../../coordinator/rollout/types.js';
import { MIN, WED_NOON_UTC, fleetOf, node, onVersion, spec } from './helpers.js';

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

describe('plan() purity', () => {
  it('never changes the rollout it is given, through starts, a failure and completion', () => {
    const nodes = ['a1', 'a2', 'b1', 'b2'].map((id) => node(id, { pool: 'workers', rack: id[0]! }));
    let rollout: Rollout = createRollout(spec({ strategy: { kind: 'by-label', label: 'rack' }, maxUnavailable: { kind: 'count', count: 2 }, failurePolicy: { pauseAfter: 2, rollback: true } }), nodes, WED_NOON_UTC);
    let fleet = fleetOf(nodes);
    let now = WED_NOON_UTC;
    for (let step = 0; step < 12; step++) {
      const frozen = deepFreeze(structuredClone(rollout));
      const snapshot = JSON.stringify(frozen);
      const p = plan({ rollout: frozen, fleet, lockHolders: new Set(), now });
      expect(JSON.stringify(frozen)).toBe(snapshot);
      rollout = p.next;
      // Started nodes come back on the target, except b2, which fails.
      fleet = fleetOf([...fleet.values()].map((n) => (rollout.nodes[n.nodeId]?.phase === 'updating' ? (n.nodeId === 'b2' ? { ...n, flowState: 'failed', state: 'degraded' } : onVersion(n, rollout.spec.target)) : n)));
      now += MIN;
    }
    expect(rollout.phase).toBe('completed');
    expect(rollout.nodes.b2!.phase).toBe('failed');
  });
});
