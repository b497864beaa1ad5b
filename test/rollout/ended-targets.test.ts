// A rollout that ends takes its targets with it, and no coordinator restart
// brings one back (issue 14). A real SQLite store on disk; each step of the
// scenario is followed by a restart (a new process's registry, lock service
// and controller on the same file, started as app.ts starts them), and every
// agent stream that attaches is watched for the target it is told.
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseRolloutSpec } from '../../common/api/rollout-spec.js';
import { silentLogger } from '../../common/log.js';
import type { NodeRecord } from '../../coordinator/fleet/node-record.js';
import { FleetRegistry } from '../../coordinator/fleet/registry.js';
import { LockService } from '../../coordinator/locks/lock-service.js';
import { RolloutController } from '../../coordinator/rollout/controller.js';
import type { Rollout } from '../../coordinator/rollout/types.js';
import { SqliteStore } from '../../coordinator/store/sqlite.js';
import type { Directive } from '../../proto/generated/hostpilot/v1/Directive.js';
import { makeTempDir } from '../support/tmp.js';
import { nodeReport as report } from '../support/node-report.js';

let now = Date.UTC(2026, 0, 7, 12, 0);
const clock = () => now;

/** One coordinator process on the SQLite file. */
async function coordinator(path: string) {
  const store = new SqliteStore(path);
  const registry = new Registry();
  const fleet = new FleetRegistry(store, registry, silentLogger, { nodeTimeoutMs: 60_000, heartbeatIntervalMs: 5_000 }, clock);
  await fleet.init();
  const locks = new LockService(store, { groups: new Map([['default', 5]]), allowNewGroups: false, newGroupSlots: 1 }, registry, silentLogger, clock);
  await locks.init();
  const rollouts = new RolloutController(store, fleet, locks, registry, silentLogger, clock);
  // As app.ts: before any agent connects.
  await rollouts.clearEnded();
  rollouts.start(3_600_000);
  /** Every target each node's stream is told, in order ('' for none). */
  const told = new Map<string, string[]>();
  const connect = async (id: string, version: string, flow = 'idle') => {
    await fleet.report(report(id, version, flow));
    told.set(id, []);
    fleet.attach(id, (d: Directive) => {
      if (d.desired_target) told.get(id)!.push(d.desired_target.target ?? '');
    });
  };
  const tick = async () => {
    await rollouts.tick();
    await rollouts.tick();
  };
  const close = async () => {
    await rollouts.stop();
    await store.close();
  };
  return { store, fleet, rollouts, told, connect, tick, close };
}

describe('ended rollouts and coordinator restarts', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let path: string;
  const open: Array<{ close(): Promise<void> }> = [];
  beforeEach(() => {
    tmp = makeTempDir();
    path = `${tmp.dir}/coordinator.db`;
    now = Date.UTC(2026, 0, 7, 12, 0);
  });
  afterEach(async () => {
    for (const c of open.splice(0)) await c.close().catch(() => undefined);
    tmp.remove();
  });
  const start = async () => {
    const c = await coordinator(path);
    open.push(c);
    return c;
  };
  /** Stops `c` and starts a new process on the same file, with every node connected again as it runs now. */
  const restart = async (c: Awaited<ReturnType<typeof coordinator>>, nodes: Record<string, [string, string?]>) => {
    await c.close();
    open.splice(open.indexOf(c), 1);
    const next = await start();
    for (const [id, [version, flow]] of Object.entries(nodes)) await next.connect(id, version, flow);
    await next.tick();
    return next;
  };
  const stored = async (c: { store: SqliteStore }, id: string) => (await c.store.get<NodeRecord>(`nodes/${id}`))?.desired;

  it('abort, completion, failure, rollback and deletion: no ended rollout target comes back across restarts', async () => {
    let c = await start();
    for (const id of ['n1', 'n2', 'n3']) await c.connect(id, '2');
    // A rollout to v3 starts n1; a restart mid-flight re-sends its target (the rollout is active).
    await c.rollouts.create(parseRolloutSpec({ id: 'to-v3', target: '3', strategy: 'size:3', max_unavailable: '1', pause_after_failures: 1 }));
    await c.tick();
    expect(await stored(c, 'n1')).toMatchObject({ target: '3', rolloutId: 'to-v3' });
    c = await restart(c, { n1: ['2', 'pending'], n2: ['2'], n3: ['2'] });
    expect(c.told.get('n1')).toEqual(['3']);
    // n1 fails its health check and rolls itself back: the rollout pauses. A restart keeps the
    // paused rollout's target (the agent does not retry a target it failed).
    await c.fleet.report(report('n1', '2', 'failed', 'health checks failed: kubelet'));
    now += 1000;
    await c.tick();
    expect((await c.rollouts.get('to-v3')).phase).toBe('paused');
    c = await restart(c, { n1: ['2', 'failed'], n2: ['2'], n3: ['2'] });
    expect(c.told.get('n1')).toEqual(['3']);
    // Abort: the target is cleared in the store and on the connected agent at once.
    await c.rollouts.abort('to-v3');
    expect(await stored(c, 'n1')).toBeUndefined();
    expect(c.told.get('n1')).toEqual(['3', '']);
    // The agent, told, left its failed state (its target was taken back).
    for (let i = 0; i < 2; i++) {
      c = await restart(c, { n1: ['2'], n2: ['2'], n3: ['2'] });
      expect(c.told.get('n1')).toEqual(['']);
      expect(await stored(c, 'n1')).toBeUndefined();
    }
    // A rollout that completes clears its targets too.
    await c.rollouts.create(parseRolloutSpec({ id: 'to-v4', target: '4', strategy: 'size:3', max_unavailable: '3' }));
    await c.tick();
    expect([...c.told.values()].map((t) => t.at(-1))).toEqual(['4', '4', '4']);
    c = await restart(c, { n1: ['4'], n2: ['4'], n3: ['4'] });
    expect((await c.rollouts.get('to-v4')).phase).toBe('completed');
    for (const id of ['n1', 'n2', 'n3']) expect(await stored(c, id)).toBeUndefined();
    c = await restart(c, { n1: ['4'], n2: ['4'], n3: ['4'] });
    expect([...c.told.values()]).toEqual([[''], [''], ['']]);
    // Rollback on failure: the rolled-back nodes' targets (their previous version) go with the abort.
    await c.rollouts.create(parseRolloutSpec({ id: 'to-v5', target: '5', strategy: 'size:3', max_unavailable: '2', pause_after_failures: 1, rollback_on_failure: true }));
    await c.tick();
    await c.fleet.report(report('n1', '5'));
    await c.fleet.report(report('n2', '4', 'failed', 'health checks failed'));
    now += 1000;
    await c.tick();
    expect(await stored(c, 'n1')).toMatchObject({ target: '4', rolloutId: 'to-v5' });
    c = await restart(c, { n1: ['5'], n2: ['4', 'failed'], n3: ['4'] });
    expect(c.told.get('n1')).toEqual(['4']);
    await c.rollouts.abort('to-v5');
    c = await restart(c, { n1: ['5'], n2: ['4', 'failed'], n3: ['4'] });
    expect([...c.told.values()]).toEqual([[''], [''], ['']]);
  });

  it('a crash between ending a rollout and clearing its targets, or a rollout deleted from the store, leaves no target after a restart', async () => {
    let c = await start();
    for (const id of ['n1', 'n2']) await c.connect(id, '1');
    await c.rollouts.create(parseRolloutSpec({ id: 'r1', target: '2', strategy: 'size:1', max_unavailable: '1' }));
    await c.tick();
    expect(await stored(c, 'n1')).toMatchObject({ target: '2', rolloutId: 'r1' });
    // The process dies right after the abort is written, before any target is cleared.
    await c.store.update<Rollout, void>('rollouts/r1', (r) => ({ next: { ...r!, phase: 'aborted', reason: 'aborted by an operator' }, result: undefined }));
    expect(await stored(c, 'n1')).toMatchObject({ rolloutId: 'r1' });
    c = await restart(c, { n1: ['1', 'pending'], n2: ['1'] });
    expect(await stored(c, 'n1')).toBeUndefined();
    expect(c.told.get('n1')).toEqual(['']);
    // The agent dropped the target and went idle.
    await c.fleet.report(report('n1', '1'));
    // A rollout deleted from the store (kubectl-style delete) has ended too.
    await c.rollouts.create(parseRolloutSpec({ id: 'r3', target: '2', strategy: 'size:1', max_unavailable: '1' }));
    await c.tick();
    expect(await stored(c, 'n1')).toMatchObject({ rolloutId: 'r3' });
    await c.store.delete('rollouts/r3');
    c = await restart(c, { n1: ['1', 'pending'], n2: ['1'] });
    expect(await stored(c, 'n1')).toBeUndefined();
    expect(c.told.get('n1')).toEqual(['']);
  });
});
