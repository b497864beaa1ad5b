// The fleet simulator against two coordinator replicas sharing a real etcd,
// as bench:fleet --store etcd runs it: the agents spread over both replicas
// (a node's Report stream and lock calls on one), the bench's own calls to the
// leader, the budget invariant checked all along.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { silentLogger } from '../../common/log.js';
import { startCoordinator, type RunningCoordinator } from '../../coordinator/app.js';
import { runFleetRollout } from '../../bench/sim/run.js';
import { describeWith } from '../support/components.js';
import { coordinatorConfig } from '../support/coordinator.js';
import { startEtcd, type EtcdServer } from '../support/etcd.js';
import { makeTempDir, waitFor } from '../support/tmp.js';

/** Reboot-lock acquires this replica granted over gRPC (hostpilot_lock_requests_total). */
const grantedBy = async (c: RunningCoordinator) =>
  (await c.registry.getSingleMetric('hostpilot_lock_requests_total')!.get()).values.filter((v) => v.labels.api === 'grpc' && v.labels.op === 'acquire' && v.labels.result === 'granted').reduce((sum, v) => sum + v.value, 0);
const leads = async (c: RunningCoordinator) => /^hostpilot_leader_elected 1$/m.test(await c.registry.getSingleMetricAsString('hostpilot_leader_elected'));

describeWith(['etcd'], 'fleet simulator on two etcd replicas', () => {
  let etcd: EtcdServer;
  let tmp: ReturnType<typeof makeTempDir>;
  const replicas: RunningCoordinator[] = [];

  beforeAll(async () => {
    etcd = await startEtcd();
    tmp = makeTempDir();
    const config = coordinatorConfig(tmp.dir, { store: `etcd:${etcd.endpoint}`, groups: new Map([['default', 2]]), rolloutIntervalMs: 100, heartbeatIntervalMs: 1000 });
    replicas.push(await startCoordinator(config, { log: silentLogger, replicaId: 'replica-a' }));
    await waitFor(() => leads(replicas[0]!), 'replica A leads');
    replicas.push(await startCoordinator(config, { log: silentLogger, replicaId: 'replica-b' }));
  }, 60_000);
  afterAll(async () => {
    for (const c of replicas) await c.close().catch(() => undefined);
    await etcd?.destroy();
    tmp?.remove();
  }, 60_000);

  it('moves 16 nodes streaming to both replicas within the budget', async () => {
    const [a, b] = replicas as [RunningCoordinator, RunningCoordinator];
    const result = await runFleetRollout({
      address: `127.0.0.1:${a.grpcPort}`,
      agentAddresses: [`127.0.0.1:${a.grpcPort}`, `127.0.0.1:${b.grpcPort}`],
      nodes: 16,
      racks: 2,
      pools: 1,
      strategy: 'by-label:rack',
      maxUnavailable: '2',
      slots: 2,
      rebootMs: 200,
      settleMs: 100,
      lockRetryMs: 50,
      nodesPerChannel: 4,
      workers: 0,
      pollMs: 50,
      eventLagMs: 200,
      timeoutMs: 40_000,
    });
    expect(result.failure).toBeUndefined();
    expect(result.violations).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.completed).toBe(true);
    expect(result.figures.reboots).toBe(16);
    // Four channels of four nodes, round-robin: each replica granted the locks of its eight nodes.
    expect([await grantedBy(a), await grantedBy(b)]).toEqual([8, 8]);
    expect(Number(result.figures.max_holders)).toBeLessThanOrEqual(2);
    expect(Number(result.figures.max_down)).toBeLessThanOrEqual(2);
  });
});
