// The rollout controller re-asserts desired targets from the rollout document
// on every tick, so a restarted coordinator tells its nodes again although the
// registry keeps desired targets in memory only.
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/log.js';
import { FleetRegistry } from '../../coordinator/fleet/registry.js';
import { LockService } from '../../coordinator/locks/lock-service.js';
import { RolloutController, sameRollout } from '../../coordinator/rollout/controller.js';
import { parseRolloutSpec } from '../../coordinator/rollout/spec.js';
import type { Rollout } from '../../coordinator/rollout/types.js';
import { SqliteStore } from '../../coordinator/store/sqlite.js';
import type { Directive } from '../../proto/generated/hostpilot/v1/Directive.js';
import type { NodeReport__Output } from '../../proto/generated/hostpilot/v1/NodeReport.js';

function report(nodeId: string, version: string, flowState = 'idle', flowError = ''): NodeReport__Output {
  return {
    node_id: nodeId,
    hostname: nodeId,
    labels: { pool: 'workers' },
    os: null,
    deployments: [{ id: version, osname: 'os', checksum: `c${version}`, version, origin: 'os:stable', booted: true, staged: false, pinned: false, index: 0, timestamp_unix: 0 }],
    flow_state: flowState,
    flow_target: '',
    flow_error: flowError,
    conditions: [],
    sent_unix_ms: 0,
  };
}

describe('rollout controller desired targets', () => {
  let store: SqliteStore;
  let now: number;
  beforeEach(() => {
    store = new SqliteStore(':memory:');
    now = 1_000_000;
  });
  afterEach(() => store.close());

  async function boot() {
    const registry = new Registry();
    const locks = new LockService(store, { groups: new Map([['default', 1]]), allowNewGroups: false, newGroupSlots: 1 }, registry, silentLogger, () => now);
    await locks.init();
    const fleet = new FleetRegistry(store, registry, silentLogger, { nodeTimeoutMs: 60_000, heartbeatIntervalMs: 1000 }, () => now);
    await fleet.init();
    const controller = new RolloutController(store, fleet, locks, registry, silentLogger, () => now);
    return { fleet, controller };
  }

  function listen(fleet: FleetRegistry, nodeId: string): string[] {
    const seen: string[] = [];
    fleet.attach(nodeId, (d: Directive) => seen.push(d.desired_target ? `target ${d.desired_target.target}` : 'accepted'));
    return seen;
  }

  it('tells an updating node its target again after a restart', async () => {
    const first = await boot();
    await first.fleet.report(report('n1', '1'));
    await first.fleet.report(report('n2', '1'));
    const n1 = listen(first.fleet, 'n1');
    await first.controller.create(parseRolloutSpec({ id: 'r1', target: '2', strategy: 'size:1', max_unavailable: '1' }));
    await first.controller.tick();
    expect(n1).toEqual(['accepted', 'target 2']);
    expect((await first.controller.get('r1')).nodes.n1?.phase).toBe('updating');

    const second = await boot();
    const again = listen(second.fleet, 'n1');
    expect(again).toEqual(['accepted']);
    await second.controller.tick();
    expect(again).toEqual(['accepted', 'target 2']);
    // Told once: the next tick finds the same desired target and stays quiet.
    await second.controller.tick();
    expect(again).toEqual(['accepted', 'target 2']);
  });

  it('tells a reverting node its previous version again after a restart', async () => {
    const first = await boot();
    await first.fleet.report(report('n1', '1'));
    await first.fleet.report(report('n2', '1'));
    await first.controller.create(parseRolloutSpec({ id: 'r1', target: '2', strategy: 'size:1', max_unavailable: '1', rollback_on_failure: true }));
    await first.controller.tick();
    await first.fleet.report(report('n1', '1', 'failed', 'health check failed'));
    now += 1000;
    await first.controller.tick();
    const paused = await first.controller.get('r1');
    expect(paused.phase).toBe('paused');
    expect(paused.nodes.n1).toMatchObject({ phase: 'reverting', previous: '1' });

    const second = await boot();
    const seen = listen(second.fleet, 'n1');
    await second.controller.tick();
    expect(seen).toEqual(['accepted', 'target 1']);
  });
});

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
