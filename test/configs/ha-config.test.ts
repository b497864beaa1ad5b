// Two coordinators on one real etcd: a NodeConfig applied on one replica is
// rendered on both, a config rollout runs on the leader and reaches nodes
// streaming to the other replica through the store (their DesiredConfig with
// its rendered JSON), and a new node registering on the follower gets its
// pool's config at once.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hostpilotProto } from '../../common/proto.js';
import { parseRolloutSpec } from '../../common/api/rollout-spec.js';
import { silentLogger } from '../../common/log.js';
import type { RenderedConfig } from '../../common/api/node-config.js';
import { startCoordinator, type RunningCoordinator } from '../../coordinator/app.js';
import type { Directive__Output } from '../../proto/generated/hostpilot/v1/Directive.js';
import type { NodeReport } from '../../proto/generated/hostpilot/v1/NodeReport.js';
import { describeWith } from '../support/components.js';
import { coordinatorConfig } from '../support/coordinator.js';
import { startEtcd, type EtcdServer } from '../support/etcd.js';
import { makeTempDir, waitFor } from '../support/tmp.js';

/** A node that applies the config it is told at once and reports its hash. */
class SimNode {
  configHash = '';
  /** Each DesiredConfig: its hash and the sources of its rendered config. */
  told: Array<{ hash: string; sources: string[]; rollout: string }> = [];
  private readonly client;
  private stream: grpc.ClientDuplexStream<NodeReport, Directive__Output> | undefined;

  constructor(
    readonly id: string,
    address: string,
  ) {
    this.client = new (hostpilotProto().hostpilot.v1.Fleet)(address, grpc.credentials.createInsecure());
  }

  report(): NodeReport {
    return { node_id: this.id, labels: { pool: 'workers' }, deployments: [{ id: 'd1', checksum: '1'.repeat(8), version: '1', booted: true, index: 0 }], flow_state: 'idle', config_hash: this.configHash };
  }

  connect(): void {
    this.stream = this.client.Report();
    this.stream.on('error', () => undefined);
    this.stream.on('data', (d: Directive__Output) => {
      if (!d.desired_config) return;
      const { hash, rendered_json, rollout_id } = d.desired_config;
      this.told.push({ hash, sources: rendered_json ? (JSON.parse(rendered_json) as RenderedConfig).sources : [], rollout: rollout_id });
      this.configHash = hash;
      this.stream?.write(this.report());
    });
    this.stream.write(this.report());
  }

  close(): void {
    this.stream?.cancel();
    this.client.close();
  }
}

const leads = async (c: RunningCoordinator) => /^hostpilot_leader_elected 1$/m.test(await c.registry.getSingleMetricAsString('hostpilot_leader_elected'));

describeWith(['etcd'], 'node configs on two coordinators sharing etcd', () => {
  let etcd: EtcdServer;
  let tmp: ReturnType<typeof makeTempDir>;
  const coordinators: RunningCoordinator[] = [];
  const nodes: SimNode[] = [];

  beforeAll(async () => {
    etcd = await startEtcd();
    tmp = makeTempDir();
  }, 60_000);
  afterAll(async () => {
    for (const n of nodes) n.close();
    for (const c of coordinators) await c.close().catch(() => undefined);
    await etcd?.destroy();
    tmp?.remove();
  }, 60_000);

  it('rolls a config out from the leader to nodes of the follower, and gives a new node its pool\'s config there', async () => {
    const options = { store: `etcd:${etcd.endpoint}`, etcd: { prefix: `/ha-config-${process.pid}/` }, leaderLeaseSeconds: 2, rolloutIntervalMs: 200, heartbeatIntervalMs: 500 };
    const a = await startCoordinator(coordinatorConfig(tmp.dir, options), { log: silentLogger, replicaId: 'replica-a' });
    coordinators.push(a);
    await waitFor(() => leads(a), 'replica A leads');
    const b = await startCoordinator(coordinatorConfig(tmp.dir, options), { log: silentLogger, replicaId: 'replica-b' });
    coordinators.push(b);
    expect(await leads(b)).toBe(false);

    for (let i = 1; i <= 3; i++) nodes.push(new SimNode(`n${i}`, `127.0.0.1:${b.grpcPort}`));
    for (const n of nodes) n.connect();
    await waitFor(async () => (await a.store.list('nodes/')).length === 3, 'A sees the nodes in the store');

    // Applied on the follower; the leader renders the same hash.
    const doc = { apiVersion: 'hostpilot.io/v1', kind: 'NodeConfig', metadata: { name: '10-base' }, spec: { selector: { pool: ['workers'] }, sysctls: { 'vm.swappiness': '10' } } };
    await b.resources.applyDocuments([{ where: 'doc', raw: doc }], { managedBy: 'apply' });
    const hash = (await b.configs.current('workers')).hash;
    expect((await a.configs.current('workers')).hash).toBe(hash);

    await a.rollouts.create(parseRolloutSpec({ id: 'ha-cfg', config_pool: 'workers', strategy: 'size:1' }));
    const done = await waitFor(
      async () => {
        const r = await a.rollouts.get('ha-cfg');
        return r.phase === 'completed' ? r : undefined;
      },
      'the config rollout completes',
      60_000,
    );
    expect(Object.values(done.nodes).map((n) => n.phase)).toEqual(['done', 'done', 'done']);
    for (const n of nodes) expect(n.told).toContainEqual({ hash, sources: ['10-base'], rollout: 'ha-cfg' });

    // A node never seen, registering on the follower: its pool's config at once, no rollout.
    const n4 = new SimNode('n4', `127.0.0.1:${b.grpcPort}`);
    nodes.push(n4);
    n4.connect();
    await waitFor(() => n4.configHash === hash, 'n4 told its pool\'s config');
    expect(n4.told).toEqual([{ hash, sources: ['10-base'], rollout: '' }]);
  }, 120_000);
});
