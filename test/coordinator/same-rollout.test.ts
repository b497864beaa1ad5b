// sameRollout: how the rollout controller tells whether a planner step changed a rollout.
import { describe, expect, it } from 'vitest';
import { sameRollout } from '../../coordinator/rollout/controller.js';
import { parseRolloutSpec } from '../../coordinator/rollout/spec.js';
import type { Rollout } from '../../coordinator/rollout/types.js';

describe('sameRollout', () => {
  const base = (): Rollout => ({
    spec: parseRolloutSpec({ id: 'r1', target: '2' }),
    phase: 'running',
    buckets: [{ name: 'b1', nodes: ['a', 'b'] }],
    bucket: 0,
    nodes: { a: { phase: 'waiting', since: 1 }, b: { phase: 'updating', since: 2, previous: '1' } },
    createdAt: 1,
    updatedAt: 1,
  });

  it('sees every change a planner step can make', () => {
    expect(sameRollout(base(), base())).toBe(true);
    const changes: Array<(r: Rollout) => void> = [
      (r) => (r.nodes.a!.phase = 'updating'),
      (r) => (r.nodes.a!.since = 5),
      (r) => (r.nodes.a!.previous = '1'),
      (r) => (r.nodes.b!.error = 'x'),
      (r) => delete r.nodes.b!.previous,
      (r) => delete r.nodes.b,
      (r) => (r.nodes.c = { phase: 'waiting', since: 1 }),
      (r) => (r.phase = 'paused'),
      (r) => (r.bucket = 1),
      (r) => (r.bucketDoneAt = 7),
      (r) => (r.reason = 'why'),
    ];
    for (const change of changes) {
      const r = base();
      change(r);
      expect(sameRollout(r, base())).toBe(false);
      expect(sameRollout(base(), r)).toBe(false);
    }
  });
});
