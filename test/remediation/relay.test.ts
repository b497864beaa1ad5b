// On etcd replicas a node streams to any replica while only the leader
// decides: a replica that is not leading passes the leader's unanswered order
// (read from the shared store) to the nodes streaming to it.
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/log.js';
import { DisruptionGate } from '../../coordinator/fleet/disruption-gate.js';
import { FleetRegistry } from '../../coordinator/fleet/registry.js';
import { LockService } from '../../coordinator/locks/lock-service.js';
import { RemediationController } from '../../coordinator/remediation/controller.js';
import { nodeKey, type NodeRemediation } from '../../coordinator/remediation/types.js';
import { SqliteStore } from '../../coordinator/store/sqlite.js';
import type { Directive } from '../../proto/generated/hostpilot/v1/Directive.js';
import { nodeReport } from '../support/node-report.js';
import { waitFor } from '../support/tmp.js';

describe('remediation order relay', () => {
  let store: SqliteStore;
  beforeEach(() => {
    store = new SqliteStore(':memory:');
  });
  afterEach(() => store.close());

  it('sends the stored step to a node streaming here until it answers it', async () => {
    const registry = new Registry();
    const now = () => 1_000_000;
    const locks = new LockService(store, { groups: new Map([['default', 1]]), allowNewGroups: false, newGroupSlots: 1 }, registry, silentLogger, now);
    const fleet = new FleetRegistry(store, registry, silentLogger, { nodeTimeoutMs: 60_000, heartbeatIntervalMs: 1000 }, now);
    const replica = new RemediationController({ store, fleet, locks, gate: new DisruptionGate(), rollouts: { moving: async () => new Map(), list: async () => [] }, registry, log: silentLogger, now, resendMs: 0 });
    replica.startRelay();
    const stored: NodeRemediation = {
      node: 'n1',
      episodes: 1,
      reboots: [900_000],
      history: [],
      active: { episode: 1, policy: 'p', pool: 'workers', condition: 'KernelDeadlock', since: 500_000, step: 1, action: 'reboot', orderId: 'n1/1/1', startedAt: 900_000, deadline: 2_000_000, attempts: 2 },
    };
    await store.put(nodeKey('n1'), stored);
    const got: Directive[] = [];
    fleet.attach('n1', (d) => got.push(d));
    await fleet.report(nodeReport('n1', '1'));
    await waitFor(() => got.some((d) => d.remediation), 'the relayed order');
    expect(got.filter((d) => d.remediation).map((d) => d.remediation)).toEqual([{ id: 'n1/1/1', action: 'reboot', unit: '', condition: 'KernelDeadlock' }]);
    // Answered: nothing more is sent (a store read per report shows it).
    await fleet.report(nodeReport('n1', '1', 'rebooting', '', { remediation: { id: 'n1/1/1', action: 'reboot', state: 'running', message: '', finished_unix_ms: 0 } }));
    await fleet.report(nodeReport('n1', '1', 'rebooting', '', { remediation: { id: 'n1/1/1', action: 'reboot', state: 'running', message: '', finished_unix_ms: 0 } }));
    await store.get(nodeKey('n1'));
    expect(got.filter((d) => d.remediation)).toHaveLength(1);
    replica.stopRelaying();
  });
});
