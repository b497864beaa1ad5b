// The rollout controller's tick: a finished node's place goes to the next node
// in the same tick, a freed slot or a node's changed report wakes the
// controller without waiting for its timer.
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/log.js';
import { FleetRegistry } from '../../coordinator/fleet/registry.js';
import { LockService } from '../../coordinator/locks/lock-service.js';
import { RolloutController } from '../../coordinator/rollout/controller.js';
import { parseRolloutSpec } from '../../common/api/rollout-spec.js';
import { SqliteStore } from '../../coordinator/store/sqlite.js';
import { waitFor } from '../support/tmp.js';
import { nodeReport as report } from '../support/node-report.js';

/** A lock group of 1 slot, a fleet of n1..n3 on version 1, and a rollout controller over them. */
async function threeNodes(store: SqliteStore) {
  const registry = new Registry();
  const now = () => 1_000_000;
  const locks = new LockService(store, { groups: new Map([['default', 1]]), allowNewGroups: false, newGroupSlots: 1 }, registry, silentLogger, now);
  const fleet = new FleetRegistry(store, registry, silentLogger, { nodeTimeoutMs: 60_000, heartbeatIntervalMs: 1000 }, now);
  const controller = new RolloutController(store, fleet, locks, registry, silentLogger, now);
  for (const id of ['n1', 'n2', 'n3']) await fleet.report(report(id, '1'));
  return { locks, fleet, controller };
}

describe('rollout tick', () => {
  let store: SqliteStore;
  beforeEach(() => {
    store = new SqliteStore(':memory:');
  });
  afterEach(() => store.close());

  it('starts the next node in the tick that sees the last one steady', async () => {
    const { locks, fleet, controller } = await threeNodes(store);
    // Leading, with ticks by hand only.
    controller.start(3_600_000);
    await controller.create(parseRolloutSpec({ id: 'r1', target: '2', strategy: 'size:10', max_unavailable: '1' }));
    await controller.tick();
    const phases = async () => Object.fromEntries(Object.entries((await controller.get('r1')).nodes).map(([id, n]) => [id, n.phase]));
    expect(await phases()).toEqual({ n1: 'updating', n2: 'waiting', n3: 'waiting' });
    await fleet.report(report('n1', '2'));
    await controller.tick();
    expect(await phases()).toEqual({ n1: 'done', n2: 'updating', n3: 'waiting' });
    // A node that still holds its reboot slot keeps its place until it gives it back.
    expect((await locks.acquire('n2', 'default', 'grpc')).granted).toBe(true);
    await fleet.report(report('n2', '2'));
    await controller.tick();
    expect(await phases()).toEqual({ n1: 'done', n2: 'done', n3: 'waiting' });
    await locks.release('n2', 'default', 'grpc');
    await controller.tick();
    expect(await phases()).toEqual({ n1: 'done', n2: 'done', n3: 'updating' });
    await controller.stop();
  });
});

describe('rollout wake-up', () => {
  let store: SqliteStore;
  beforeEach(() => {
    store = new SqliteStore(':memory:');
  });
  afterEach(() => store.close());

  it('steps when a node reports steady and when a slot is freed, with no tick of its timer', async () => {
    const { locks, fleet, controller } = await threeNodes(store);
    // The timer would next fire in an hour: whatever moves below was woken.
    controller.start(3_600_000);
    await controller.create(parseRolloutSpec({ id: 'r1', target: '2', strategy: 'size:10', max_unavailable: '1' }));
    const phases = async () => Object.values((await controller.get('r1')).nodes).map((n) => n.phase).join(' ');
    await waitFor(async () => (await phases()) === 'updating waiting waiting', 'n1 started');
    // A heartbeat (nothing changed) wakes nothing; n1 steady on the target does.
    await fleet.report(report('n1', '2'));
    await waitFor(async () => (await phases()) === 'done updating waiting', 'n2 started by n1\'s report');
    // n2 is steady but still holds its reboot slot: its place is given back when the slot is.
    expect((await locks.acquire('n2', 'default', 'grpc')).granted).toBe(true);
    await fleet.report(report('n2', '2'));
    await waitFor(async () => (await phases()) === 'done done waiting', 'n2 done');
    await locks.release('n2', 'default', 'grpc');
    await waitFor(async () => (await phases()) === 'done done updating', 'n3 started by the release');
    await controller.stop();
  });
});
