// The rollout store layout (coordinator/rollout/layout.ts): a rollout stored
// whole by the previous version is migrated by the leader and carries on; a
// step writes the nodes it changed and the head, whatever the rollout's size;
// a crash between the two is finished by the next leader; status comes in
// pages; and no stored value grows with the fleet (measured at 100,000 nodes).
import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/log.js';
import { parseRolloutSpec } from '../../common/api/rollout-spec.js';
import { FleetRegistry } from '../../coordinator/fleet/registry.js';
import { LockService } from '../../coordinator/locks/lock-service.js';
import { RolloutController } from '../../coordinator/rollout/controller.js';
import { mapFleet } from '../../coordinator/rollout/fleet-view.js';
import { createStored, migrateRollouts, readHead, toHead } from '../../coordinator/rollout/layout.js';
import { createRollout, step } from '../../coordinator/rollout/planner.js';
import { RolloutState } from '../../coordinator/rollout/state.js';
import type { Rollout, RolloutHead } from '../../coordinator/rollout/types.js';
import { SqliteStore } from '../../coordinator/store/sqlite.js';
import type { Store } from '../../coordinator/store/store.js';
import type { NodeReport__Output } from '../../proto/generated/hostpilot/v1/NodeReport.js';
import { nodeReport } from '../support/node-report.js';
import { node, spec } from './helpers.js';

const FIXTURE = new URL('../fixtures/rollout/whole-v1.json', import.meta.url);

/** A coordinator's rollout side on one store: fleet, one lock group, a controller that leads. */
async function coordinator(store: Store, clock: () => number, reports: NodeReport__Output[] = []) {
  const registry = new Registry();
  const fleet = new FleetRegistry(store, registry, silentLogger, { nodeTimeoutMs: 3_600_000, heartbeatIntervalMs: 5000 }, clock);
  await fleet.init();
  // Nodes known before the controller starts (as a restarted coordinator knows them from the store).
  for (const r of reports) await fleet.report(r);
  const locks = new LockService(store, { groups: new Map([['default', 100]]), allowNewGroups: false, newGroupSlots: 1 }, registry, silentLogger, clock);
  await locks.init();
  const controller = new RolloutController(store, fleet, locks, registry, silentLogger, clock);
  controller.start(3_600_000);
  // Two passes: the second starts after everything before it (see controller.test.ts).
  const tick = async () => {
    await controller.tick();
    await controller.tick();
  };
  return { fleet, locks, controller, tick };
}

const report = (id: string, version: string, labels: Record<string, string>) => nodeReport(id, version, 'idle', '', { labels });

/** Every value under the rollout prefixes, by key. */
async function storedValues(store: Store): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const prefix of ['rollouts/', 'rollout-nodes/', 'rollout-buckets/']) for (const e of await store.list(prefix)) out.set(e.key, JSON.stringify(e.value));
  return out;
}

describe('rollout layout', () => {
  let store: SqliteStore;
  beforeEach(() => {
    store = new SqliteStore(':memory:');
  });
  afterEach(() => store.close());

  it('migrates a rollout stored whole by the previous version at start, and the rollout carries on', async () => {
    const whole = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Rollout;
    await store.put('rollouts/r1', whole);
    let t = whole.updatedAt + 60_000;
    const racks: Record<string, string> = { a1: 'r1', a2: 'r1', b1: 'r2', b2: 'r2', c1: 'r3', c2: 'r3' };
    const versions: Record<string, string> = { a1: '2', a2: '2', b1: '1', b2: '1', c1: '1', c2: '1' };
    // Before the leader migrates it, readers see the old document as a rollout.
    expect(await readHead(store, 'r1')).toMatchObject({ rev: 0, phase: 'running', bucket: 1, counts: { done: 2, updating: 1, waiting: 3 } });
    const c = await coordinator(
      store,
      () => t,
      Object.entries(racks).map(([id, rack]) => report(id, versions[id]!, { pool: 'workers', rack })),
    );
    await c.tick();

    const head = (await readHead(store, 'r1'))!;
    expect(head).toMatchObject({ layout: 2, phase: 'running', bucket: 1, bucketCount: 3, bucketName: 'rack=r2', counts: { done: 2, updating: 1, waiting: 3, failed: 0, reverting: 0, skipped: 0 } });
    expect(await store.get('rollout-nodes/r1/b1')).toMatchObject({ phase: 'updating', bucket: 1, previous: '1' });
    expect(await store.get('rollout-buckets/r1/000002/0000')).toEqual({ name: 'rack=r3', nodes: ['c1', 'c2'] });
    expect((await store.list('rollouts/')).map((e) => e.key)).toEqual(['rollouts/r1']);
    // b1 is told its target; nothing else is moved while it is in flight (budget 1).
    expect(c.fleet.view('b1')!.desired).toMatchObject({ target: '2', rolloutId: 'r1' });
    expect(Object.values(c.fleet.list()).filter((n) => n.desired).map((n) => n.nodeId)).toEqual(['b1']);
    expect(await migrateRollouts(store, silentLogger)).toEqual([]);

    // Each node in flight reboots into 2; one at a time, in bucket order, to completion.
    const order: string[] = [];
    for (let i = 0; i < 10 && (await readHead(store, 'r1'))!.phase === 'running'; i++) {
      const r = await c.controller.get('r1');
      const moving = Object.entries(r.nodes).filter(([, n]) => n.phase === 'updating').map(([id]) => id);
      expect(moving.length).toBeLessThanOrEqual(1);
      for (const id of moving) {
        order.push(id);
        versions[id] = '2';
      }
      t += 60_000;
      for (const [id, rack] of Object.entries(racks)) await c.fleet.report(report(id, versions[id]!, { pool: 'workers', rack }));
      await c.tick();
    }
    expect(order).toEqual(['b1', 'b2', 'c1', 'c2']);
    const done = await c.controller.get('r1');
    expect(done.phase).toBe('completed');
    expect(Object.values(done.nodes).every((n) => n.phase === 'done')).toBe(true);
    expect((await readHead(store, 'r1'))!.counts.done).toBe(6);
    await c.controller.stop();
  });

  it('a step writes the nodes it changed and the head, whatever the size of the rollout', async () => {
    const t = 1_000_000;
    const c = await coordinator(store, () => t);
    const ids = Array.from({ length: 2000 }, (_, i) => `n${String(i).padStart(4, '0')}`);
    for (const id of ids) await c.fleet.report(report(id, '1', { pool: 'workers' }));
    await c.controller.create(parseRolloutSpec({ id: 'big', target: '2', strategy: 'size:500', max_unavailable: '2' }));
    await c.tick();
    const writes = () => store.commits.stats.writes;
    // Nothing changed: a pass writes nothing.
    let before = writes();
    await c.tick();
    expect(writes() - before).toBe(0);
    // n0000 reports steady on 2: it is done and n0002 starts in the same step.
    await c.fleet.report(report('n0000', '2', { pool: 'workers' }));
    before = writes();
    await c.tick();
    const r = await c.controller.get('big');
    expect([r.nodes.n0000!.phase, r.nodes.n0001!.phase, r.nodes.n0002!.phase]).toEqual(['done', 'updating', 'updating']);
    // Two node keys, the head, and n0002's desired target in its node record.
    expect(writes() - before).toBe(4);
    await c.controller.stop();
  });

  it('a crash between writing the nodes and the head: the next leader reads the nodes and tells the started one', async () => {
    const t = 1_000_000;
    const c = await coordinator(store, () => t);
    for (const id of ['n1', 'n2', 'n3']) await c.fleet.report(report(id, '1', { pool: 'workers' }));
    await c.controller.create(parseRolloutSpec({ id: 'r1', target: '2', strategy: 'size:10', max_unavailable: '1' }));
    await c.tick();
    expect(c.fleet.view('n1')!.desired?.target).toBe('2');
    // The head write of the next step fails (the process dies there): n1's done and n2's start are stored, the head is not.
    const update = store.update.bind(store);
    store.update = (async (key: string, fn: never, options?: never) => {
      if (key === 'rollouts/r1') throw new Error('killed');
      return update(key, fn, options);
    }) as typeof store.update;
    await c.fleet.report(report('n1', '2', { pool: 'workers' }));
    await c.tick();
    await c.controller.stop();
    store.update = update;
    expect((await store.get<{ phase: string }>('rollout-nodes/r1/n2'))?.phase).toBe('updating');
    expect((await readHead(store, 'r1'))!.counts).toMatchObject({ updating: 1, waiting: 2, done: 0 });
    expect(c.fleet.view('n2')!.desired).toBeUndefined();

    // A new leader on the same store.
    const next = await coordinator(store, () => t);
    await next.tick();
    expect((await readHead(store, 'r1'))!.counts).toMatchObject({ done: 1, updating: 1, waiting: 1 });
    expect(next.fleet.view('n2')!.desired).toMatchObject({ target: '2', rolloutId: 'r1' });
    expect(next.fleet.view('n3')!.desired).toBeUndefined();
    await next.controller.stop();
  });

  it('status comes in pages of nodes in id order, with counts per bucket; a small rollout whole', async () => {
    const t = 1_000_000;
    const c = await coordinator(store, () => t);
    const ids = Array.from({ length: 250 }, (_, i) => `n${i}`);
    for (const id of ids) await c.fleet.report(report(id, '1', { pool: 'workers' }));
    await c.controller.create(parseRolloutSpec({ id: 'r1', target: '2', strategy: 'size:100', max_unavailable: '3' }));
    await c.tick();
    const head = await c.controller.head('r1');
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await c.controller.status(head, { pageSize: 100, ...(after !== undefined ? { after } : {}) });
      expect(page.buckets).toBeUndefined();
      expect(page.summaries.map((s) => [s.name, s.total, s.counts.updating, s.counts.waiting])).toEqual([
        ['bucket-1', 100, 3, 97],
        ['bucket-2', 100, 0, 100],
        ['bucket-3', 50, 0, 50],
      ]);
      seen.push(...page.nodes.map((n) => n.nodeId));
      after = page.nextAfter || undefined;
      pages++;
    } while (after !== undefined);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].sort());
    const all = await c.controller.status(head, { pageSize: 1000 });
    expect(all.nextAfter).toBe('');
    expect(all.buckets?.map((b) => b.nodes.length)).toEqual([100, 100, 50]);
    expect(all.nodes.find((n) => n.nodeId === 'n0')).toMatchObject({ state: 'ready', node: { phase: 'updating' } });
    const summary = await c.controller.status(head, { pageSize: 1000, summaryOnly: true });
    expect(summary.nodes).toEqual([]);
    expect(summary.nextAfter).toBe('');
    await c.controller.stop();
  });

  it('no stored value grows with the fleet: the largest at 100,000 nodes', async () => {
    // Realistic ids (a Kubernetes node name in a rack); 100 racks of 1,000 nodes.
    const fleet = Array.from({ length: 100_000 }, (_, i) => node(`worker-${String(i).padStart(6, '0')}.rack-${String(i % 100).padStart(3, '0')}.dc1.example.internal`, { rack: `rack-${String(i % 100).padStart(3, '0')}` }));
    const largest = new Map<string, number>();
    for (const strategy of [{ kind: 'by-label', label: 'rack' }, { kind: 'size', size: 1 }] as const) {
      const s = spec({ id: strategy.kind === 'size' ? 'one-by-one' : 'by-rack', strategy, maxUnavailable: { kind: 'percent', percent: 2 } });
      const r = createRollout(s, fleet, 1_000_000);
      expect(await createStored(store, r)).toBe(true);
      // The head at its largest: a step that starts a whole budget (2,000 nodes) and explains the rest.
      const state = RolloutState.fromRollout(r);
      const moving = new Map(fleet.slice(0, 3000).map((n) => [n.nodeId, { rollout: 'other', target: '9', since: 1 }]));
      step(state, { fleet: mapFleet(new Map(fleet.map((n) => [n.nodeId, n]))), lockHolders: new Set(), movingElsewhere: moving, now: 2_000_000 });
      const head: RolloutHead = toHead(state.head, state.buckets.length, state.buckets[state.head.bucket]?.name ?? '', state.counts, 2, 1);
      largest.set(`head (${strategy.kind})`, JSON.stringify(head).length);
    }
    for (const [key, value] of await storedValues(store)) {
      const kind = key.split('/')[0]!;
      largest.set(kind, Math.max(largest.get(kind) ?? 0, value.length));
    }
    const figures = Object.fromEntries(largest);
    console.log(`largest stored values at 100,000 nodes (bytes of JSON): ${JSON.stringify(figures)}`);
    // A bucket part: 500 ids; a head: the spec and a message naming at most 10 nodes.
    for (const [kind, bytes] of largest) expect(bytes, kind).toBeLessThan(32 * 1024);
  }, 300_000);
});
