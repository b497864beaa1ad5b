// What the fleet registry writes to the store: durable facts and resting flow
// states, not heartbeats nor the reboot flow's passing stages.
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger, type Logger } from '../../common/log.js';
import { FleetRegistry } from '../../coordinator/fleet/registry.js';
import type { NodeRecord } from '../../coordinator/fleet/node-record.js';
import { SqliteStore } from '../../coordinator/store/sqlite.js';
import type { UpdateOutcome } from '../../coordinator/store/store.js';
import type { NodeReport__Output } from '../../proto/generated/hostpilot/v1/NodeReport.js';
import { nodeReport } from '../support/node-report.js';

function report(flowState: string, version: string, extra: Partial<NodeReport__Output> = {}): NodeReport__Output {
  return nodeReport('n1', version, flowState, '', { flow_target: flowState === 'idle' ? '' : '2', ...extra });
}

describe('fleet registry persistence', () => {
  let store: SqliteStore;
  let puts: string[];
  beforeEach(() => {
    store = new SqliteStore(':memory:');
    puts = [];
    // Node records are written through update (keeping a desired target the store has).
    const update = store.update.bind(store);
    store.update = async <T, R>(key: string, fn: (current: T | undefined) => UpdateOutcome<T, R>) =>
      update<T, R>(key, (current) => {
        const outcome = fn(current);
        if (outcome.next) puts.push(`${key} ${(outcome.next as unknown as NodeRecord).flowState}`);
        return outcome;
      });
  });
  afterEach(() => store.close());

  it('writes durable changes and resting states, not heartbeats or passing flow stages', async () => {
    const fleet = new FleetRegistry(store, new Registry(), silentLogger, { nodeTimeoutMs: 60_000, heartbeatIntervalMs: 1000 });
    await fleet.report(report('idle', '1'));
    await fleet.report(report('idle', '1'));
    expect(puts).toEqual(['nodes/n1 idle']);
    await fleet.report(report('locking', '1'));
    await fleet.report(report('rebooting', '1'));
    await fleet.report(report('rebooting', '1'));
    expect(puts).toEqual(['nodes/n1 idle']);
    // The view still shows the stage at once.
    expect(fleet.view('n1')?.state).toBe('rebooting');
    await fleet.report(report('idle', '2'));
    expect(puts).toEqual(['nodes/n1 idle', 'nodes/n1 idle']);
    // A failure is a resting state (it makes the node degraded after a restart too); so is an error text.
    await fleet.report(report('locking', '2'));
    await fleet.report(report('failed', '2', { flow_error: 'health check failed' }));
    expect(puts).toEqual(['nodes/n1 idle', 'nodes/n1 idle', 'nodes/n1 failed']);
    // A change of a durable fact mid-flow is written, stage and all.
    await fleet.report(report('locking', '2', { labels: { pool: 'infra' } }));
    expect(puts.at(-1)).toBe('nodes/n1 locking');

    const restarted = new FleetRegistry(store, new Registry(), silentLogger, { nodeTimeoutMs: 60_000, heartbeatIntervalMs: 1000 });
    await restarted.init();
    expect(restarted.view('n1')).toMatchObject({ labels: { pool: 'infra' }, flowState: 'locking' });
  });

  it('detaches a stream once however many close events it fires', async () => {
    const infos: string[] = [];
    const log: Logger = { ...silentLogger, info: (msg: string) => void infos.push(msg), child: () => log };
    const fleet = new FleetRegistry(store, new Registry(), log, { nodeTimeoutMs: 60_000, heartbeatIntervalMs: 1000 });
    await fleet.report(report('idle', '1'));
    const detach = fleet.attach('n1', () => undefined);
    expect(fleet.view('n1')?.connected).toBe(true);
    detach();
    detach();
    detach();
    expect(fleet.view('n1')?.connected).toBe(false);
    expect(infos.filter((m) => m === 'node stream closed')).toHaveLength(1);
  });
});
