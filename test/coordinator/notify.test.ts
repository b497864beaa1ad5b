// Webhook notifications (--notify-url) against a real HTTP receiver on
// loopback: delivery, a receiver that is down and comes back, one that stays
// down, a slow one (timeout), a full queue; and the events the rollout
// controller and the lock service emit at their transitions.
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { parseRolloutSpec } from '../../common/api/rollout-spec.js';
import { silentLogger } from '../../common/log.js';
import { FleetRegistry } from '../../coordinator/fleet/registry.js';
import { LockService } from '../../coordinator/locks/lock-service.js';
import type { NotifyEvent } from '../../coordinator/notify/event.js';
import { parseNotifyUrl } from '../../common/notify-url.js';
import { WebhookNotifier, type WebhookOptions } from '../../coordinator/notify/webhook.js';
import { RolloutController } from '../../coordinator/rollout/controller.js';
import { SqliteStore } from '../../coordinator/store/sqlite.js';
import { freePort } from '../support/programs.js';
import { waitFor } from '../support/tmp.js';
import { startReceiver, type Receiver } from '../support/webhook-receiver.js';
import { nodeReport as report } from '../support/node-report.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function receiver(port?: number): Promise<Receiver> {
  const r = await startReceiver(port);
  cleanups.push(() => r.close());
  return r;
}

function notifier(urls: string[], options: Partial<WebhookOptions> = {}): { webhooks: WebhookNotifier; registry: Registry; count: (result: string) => Promise<number> } {
  const registry = new Registry();
  const webhooks = new WebhookNotifier({ urls, registry, log: silentLogger, backoffMs: 20, maxBackoffMs: 100, ...options });
  cleanups.push(() => webhooks.close());
  const count = async (result: string) => (await registry.getSingleMetric('hostpilot_notifications_total')!.get()).values.find((v) => v.labels.result === result)?.value ?? 0;
  return { webhooks, registry, count };
}

const event = (n: number): NotifyEvent => ({ event: 'rollout.started', time: new Date(0).toISOString(), rollout: `r${n}`, text: `event ${n}` });

describe('webhook notifier', () => {
  it('posts each event as JSON, in order, to every URL', async () => {
    const a = await receiver();
    const b = await receiver();
    const { webhooks, count } = notifier([a.url, b.url]);
    for (const n of [1, 2, 3]) webhooks.emit(event(n));
    await waitFor(() => a.bodies.length === 3 && b.bodies.length === 3, 'three events at both receivers');
    expect(a.bodies.map((x) => x.rollout)).toEqual(['r1', 'r2', 'r3']);
    expect(b.bodies[0]).toEqual(event(1));
    await waitFor(async () => (await count('sent')) === 6, 'six posts counted as sent');
  });

  it('keeps retrying while the receiver is down and delivers once it is back', async () => {
    const port = await freePort();
    const { webhooks, count } = notifier([`http://127.0.0.1:${port}/hook`], { maxAttempts: 1000 });
    webhooks.emit(event(1));
    // Down: the post is refused and retried.
    await waitFor(async () => (await count('retried')) >= 2, 'retries while the receiver is down');
    expect(await count('sent')).toBe(0);
    const r = await receiver(port);
    await waitFor(() => r.bodies.length === 1, 'the event after the receiver came back');
    expect(r.bodies[0]).toEqual(event(1));
    await waitFor(async () => (await count('sent')) === 1, 'the post counted as sent');
    expect(await count('failed')).toBe(0);
  });

  it('gives an event up after its attempts, and goes on with the next', async () => {
    const r = await receiver();
    r.failNext(3);
    const { webhooks, count } = notifier([r.url], { maxAttempts: 3 });
    webhooks.emit(event(1));
    webhooks.emit(event(2));
    await waitFor(() => r.bodies.length === 1, 'the second event');
    expect(r.bodies[0]!.rollout).toBe('r2');
    expect(r.requests).toBe(4);
    await waitFor(async () => (await count('sent')) === 1, 'the post counted as sent');
    expect(await count('failed')).toBe(1);
    expect(await count('retried')).toBe(2);
  });

  it('does not wait for a receiver that never answers: each post times out', async () => {
    const r = await receiver();
    r.hold();
    const { webhooks, count } = notifier([r.url], { timeoutMs: 100, maxAttempts: 2 });
    webhooks.emit(event(1));
    await waitFor(async () => (await count('failed')) === 1, 'the event given up after two timed-out posts');
    expect(r.requests).toBe(2);
    expect(await count('sent')).toBe(0);
  });

  it('drops the oldest events when the queue is full, and counts them', async () => {
    const r = await receiver();
    r.hold();
    const { webhooks, count, registry } = notifier([r.url], { queueSize: 2, timeoutMs: 60_000 });
    webhooks.emit(event(1));
    await waitFor(() => r.requests === 1, 'the first post in flight');
    for (const n of [2, 3, 4, 5, 6]) webhooks.emit(event(n));
    expect(await count('dropped')).toBe(3);
    expect((await registry.getSingleMetric('hostpilot_notifications_queued')!.get()).values[0]!.value).toBe(2);
    r.release();
    await waitFor(() => r.bodies.length === 3, 'the event in flight and the two newest');
    expect(r.bodies.map((b) => b.rollout)).toEqual(['r1', 'r5', 'r6']);
  });

  it('refuses a notify URL that is not http(s) or too long', () => {
    expect(parseNotifyUrl('https://hooks.example.com/x?y=1', '--notify-url')).toBe('https://hooks.example.com/x?y=1');
    expect(() => parseNotifyUrl('ftp://example.com/', '--notify-url')).toThrow(/--notify-url: .*http or https/);
    expect(() => parseNotifyUrl('example.com/hook', '--notify-url')).toThrow(/--notify-url: .*not a URL/);
    expect(() => parseNotifyUrl(`http://example.com/${'a'.repeat(3000)}`, '--notify-url')).toThrow(/longer than 2048/);
  });
});

describe('events from the rollout controller and the lock service', () => {
  async function fleetWith(r: Receiver) {
    const store = new SqliteStore(':memory:');
    cleanups.push(() => store.close());
    const registry = new Registry();
    const webhooks = new WebhookNotifier({ urls: [r.url], registry, log: silentLogger, backoffMs: 20 });
    cleanups.push(() => webhooks.close());
    const now = () => 1_000_000;
    const locks = new LockService(store, { groups: new Map([['default', 2]]), allowNewGroups: false, newGroupSlots: 1 }, registry, silentLogger, now, webhooks);
    const fleet = new FleetRegistry(store, registry, silentLogger, { nodeTimeoutMs: 60_000, heartbeatIntervalMs: 1000 }, now);
    const controller = new RolloutController(store, fleet, locks, registry, silentLogger, now, webhooks);
    // Leading, with ticks by hand only.
    controller.start(3_600_000);
    cleanups.push(() => controller.stop());
    return { locks, fleet, controller };
  }

  it('tells a rollout started, a node failed, the rollout paused, resumed, completed', async () => {
    const r = await receiver();
    const { fleet, controller } = await fleetWith(r);
    for (const id of ['n1', 'n2']) await fleet.report(report(id, '1'));
    await controller.create(parseRolloutSpec({ id: 'r1', target: '2', strategy: 'size:1', max_unavailable: '1', pause_after_failures: 1 }));
    await controller.tick();
    await waitFor(() => r.bodies.length === 1, 'rollout.started');
    expect(r.bodies[0]).toMatchObject({ event: 'rollout.started', rollout: 'r1', target: '2', time: new Date(1_000_000).toISOString() });
    await fleet.report(report('n1', '1', 'failed', 'health check web.sh failed; rolled back'));
    await controller.tick();
    await waitFor(() => r.bodies.length === 3, 'node.failed and rollout.paused');
    expect(r.bodies[1]).toMatchObject({ event: 'node.failed', node: 'n1', rollout: 'r1', reason: 'health check web.sh failed; rolled back' });
    expect(r.bodies[2]).toMatchObject({ event: 'rollout.paused', rollout: 'r1' });
    expect(String(r.bodies[2]!.reason)).toMatch(/n1/);
    await controller.resume('r1');
    await waitFor(() => r.bodies.length === 4, 'rollout.resumed');
    expect(r.bodies[3]).toMatchObject({ event: 'rollout.resumed', rollout: 'r1' });
    for (const id of ['n1', 'n2']) await fleet.report(report(id, '2'));
    for (let i = 0; i < 4 && (await controller.get('r1')).phase !== 'completed'; i++) await controller.tick();
    await waitFor(() => r.bodies.some((b) => b.event === 'rollout.completed'), 'rollout.completed');
    expect(r.bodies.filter((b) => b.event === 'rollout.started')).toHaveLength(1);
  });

  it('tells an abort, and an operator freeing a held lock (not one that was free)', async () => {
    const r = await receiver();
    const { locks, fleet, controller } = await fleetWith(r);
    await fleet.report(report('n1', '1'));
    await controller.create(parseRolloutSpec({ id: 'r2', target: '2' }));
    await controller.tick();
    await controller.abort('r2');
    await locks.acquire('n7', 'default', 'fleetlock');
    await locks.forceRelease('n8', 'default', 'grpc');
    await locks.forceRelease('n7', 'default', 'grpc');
    await waitFor(() => r.bodies.length === 3, 'three events');
    expect(r.bodies.map((b) => b.event)).toEqual(['rollout.started', 'rollout.aborted', 'lock.forceReleased']);
    expect(r.bodies[1]).toMatchObject({ rollout: 'r2', reason: 'aborted by an operator' });
    expect(r.bodies[2]).toMatchObject({ node: 'n7', group: 'default' });
  });

  it('a receiver that is down does not hold the fleet up', async () => {
    const port = await freePort();
    const store = new SqliteStore(':memory:');
    cleanups.push(() => store.close());
    const registry = new Registry();
    const webhooks = new WebhookNotifier({ urls: [`http://127.0.0.1:${port}/`], registry, log: silentLogger, backoffMs: 60_000, maxAttempts: 100 });
    cleanups.push(() => webhooks.close());
    const locks = new LockService(store, { groups: new Map([['default', 1]]), allowNewGroups: false, newGroupSlots: 1 }, registry, silentLogger, Date.now, webhooks);
    for (let i = 0; i < 20; i++) {
      expect((await locks.acquire('n1', 'default', 'grpc')).granted).toBe(true);
      expect((await locks.forceRelease('n1', 'default', 'grpc')).reason).toBe('released');
    }
  });
});
