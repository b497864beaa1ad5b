// Two coordinators on one real etcd: the rollout runs on the elected leader,
// reaches nodes streaming to the other replica through the store, and when
// the leader dies mid-rollout the other replica takes over and completes it.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseRolloutSpec } from '../../common/api/rollout-spec.js';
import type { RenderedConfig } from '../../common/api/node-config.js';
import { hostpilotProto } from '../../common/proto.js';
import { silentLogger } from '../../common/log.js';
import { startCoordinator, type RunningCoordinator } from '../../coordinator/app.js';
import { CtlClient } from '../../ctl/client.js';
import type { Directive__Output } from '../../proto/generated/hostpilot/v1/Directive.js';
import type { NodeReport } from '../../proto/generated/hostpilot/v1/NodeReport.js';
import type { RolloutStatus__Output } from '../../proto/generated/hostpilot/v1/RolloutStatus.js';
import { describeWith } from '../support/components.js';
import { coordinatorConfig } from '../support/coordinator.js';
import { startEtcd, type EtcdServer } from '../support/etcd.js';
import { makeTempDir, sleep, waitFor } from '../support/tmp.js';

/** A node that behaves like the agent's flow, quickly: told a target, it "reboots" into it. */
class SimNode {
  version = '1';
  flow = 'idle';
  told: string[] = [];
  /** Every desired target directive, '' (none) included, in order. */
  directives: string[] = [];
  /** A frozen node takes its targets but never moves (its update hangs). */
  frozen = false;
  /** The rendered node config it applied (at once, when told one), and each DesiredConfig told: hash, its configs, rollout. */
  configHash = '';
  configs: Array<{ hash: string; sources: string[]; rollout: string }> = [];
  private readonly client;
  private stream: grpc.ClientDuplexStream<NodeReport, Directive__Output> | undefined;

  constructor(
    readonly id: string,
    address: string,
  ) {
    this.client = new (hostpilotProto().hostpilot.v1.Fleet)(address, grpc.credentials.createInsecure());
  }

  report(): NodeReport {
    return {
      node_id: this.id,
      labels: { pool: 'workers' },
      deployments: [{ id: `testos-${this.version}`, checksum: this.version.repeat(8), version: this.version, booted: true, index: 0 }],
      flow_state: this.flow,
      config_hash: this.configHash,
    };
  }

  connect(): void {
    this.stream = this.client.Report();
    this.stream.on('error', () => undefined);
    this.stream.on('data', (d: Directive__Output) => {
      if (d.desired_config) {
        const { hash, rendered_json, rollout_id } = d.desired_config;
        this.configs.push({ hash, sources: rendered_json ? (JSON.parse(rendered_json) as RenderedConfig).sources : [], rollout: rollout_id });
        this.configHash = hash;
        this.stream?.write(this.report());
      }
      if (d.desired_target) this.directives.push(d.desired_target.target);
      const target = d.desired_target?.target;
      if (!target || target === this.version || this.frozen) return;
      this.told.push(target);
      this.flow = 'rebooting';
      this.stream?.write(this.report());
      setTimeout(() => {
        this.version = target;
        this.flow = 'idle';
        this.stream?.write(this.report());
      }, 300);
    });
    this.stream.write(this.report());
  }

  close(): void {
    this.stream?.cancel();
    this.client.close();
  }
}

const leads = async (c: RunningCoordinator) => /^hostpilot_leader_elected 1$/m.test(await c.registry.getSingleMetricAsString('hostpilot_leader_elected'));

describeWith(['etcd'], 'rollouts on two coordinators sharing etcd', () => {
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

  it('hands the rollout over when the leader dies mid-rollout, moving no node twice', async () => {
    const start = () =>
      startCoordinator(
        coordinatorConfig(tmp.dir, { store: `etcd:${etcd.endpoint}`, etcd: { prefix: `/ha-test-${Date.now()}/` }, leaderLeaseSeconds: 2, rolloutIntervalMs: 200, heartbeatIntervalMs: 500 }),
        { log: silentLogger, replicaId: 'replica-a' },
      );
    const a = await start();
    coordinators.push(a);
    await waitFor(() => leads(a), 'replica A leads');
    const prefix = (a as unknown as { store: { prefix?: string } }).store.prefix;
    const b = await startCoordinator(
      coordinatorConfig(tmp.dir, { store: `etcd:${etcd.endpoint}`, ...(prefix ? { etcd: { prefix } } : {}), leaderLeaseSeconds: 2, rolloutIntervalMs: 200, heartbeatIntervalMs: 500 }),
      { log: silentLogger, replicaId: 'replica-b' },
    );
    coordinators.push(b);
    expect(await leads(b)).toBe(false);

    // Every node streams to B, the follower: A reaches them only through the store.
    for (let i = 1; i <= 6; i++) nodes.push(new SimNode(`n${i}`, `127.0.0.1:${b.grpcPort}`));
    for (const n of nodes) n.connect();
    await waitFor(async () => (await a.store.list('nodes/')).length === 6, 'A sees the six nodes in the store');

    const ctl = new CtlClient(`127.0.0.1:${a.grpcPort}`, undefined, 10_000);
    const created = await ctl.call<RolloutStatus__Output>((o, cb) =>
      ctl.rollouts.Create({ id: 'ha', target: '2', selector: { pool: 'workers' }, strategy: 'size:2', max_unavailable: '2', settle_ms: 500 }, o, cb),
    );
    ctl.close();
    expect(created.buckets).toHaveLength(3);

    // Once the first bucket is done, the leader dies.
    await waitFor(() => nodes.filter((n) => n.version === '2').length >= 2, 'the first bucket moved', 60_000);
    await a.close();
    coordinators.splice(coordinators.indexOf(a), 1);
    await waitFor(() => leads(b), 'B takes over within the lease', 30_000);

    const done = await waitFor(
      async () => {
        const r = await b.rollouts.get('ha');
        return r.phase === 'completed' ? r : undefined;
      },
      'the rollout completes on B',
      90_000,
    );
    expect(Object.values(done.nodes).every((n) => n.phase === 'done')).toBe(true);
    expect(nodes.map((n) => n.version)).toEqual(['2', '2', '2', '2', '2', '2']);
    // No node was moved twice: each was told its target once (re-sends of the same target are not repeated moves).
    for (const n of nodes) expect(n.told).toEqual(['2']);
    await sleep(500);
  }, 180_000);

  it('an aborted rollout\'s targets are cleared on nodes of the other replica, and a hand-over does not bring them back', async () => {
    const config = { store: `etcd:${etcd.endpoint}`, etcd: { prefix: `/ha-abort-${Date.now()}/` }, leaderLeaseSeconds: 2, rolloutIntervalMs: 200, heartbeatIntervalMs: 500 };
    const a = await startCoordinator(coordinatorConfig(tmp.dir, config), { log: silentLogger, replicaId: 'replica-a' });
    coordinators.push(a);
    await waitFor(() => leads(a), 'replica A leads');
    const b = await startCoordinator(coordinatorConfig(tmp.dir, config), { log: silentLogger, replicaId: 'replica-b' });
    coordinators.push(b);
    const stuck = [new SimNode('s1', `127.0.0.1:${b.grpcPort}`), new SimNode('s2', `127.0.0.1:${b.grpcPort}`)];
    nodes.push(...stuck);
    for (const n of stuck) {
      n.frozen = true;
      n.connect();
    }
    await waitFor(async () => (await a.store.list('nodes/')).length === 2, 'A sees the nodes');
    await a.rollouts.create(parseRolloutSpec({ id: 'hangs', target: '9', strategy: 'size:2', max_unavailable: '2' }));
    await waitFor(() => stuck.every((n) => n.directives.includes('9')), 'the nodes on B are told 9 through the store');
    await a.rollouts.abort('hangs');
    // B passes the clear on to the agents streaming to it.
    await waitFor(() => stuck.every((n) => n.directives.at(-1) === ''), 'the nodes on B are told the target is gone');
    // The leader dies; B takes over: nothing brings the aborted rollout's target back (an
    // observation window of a few of B's ticks).
    await a.close();
    coordinators.splice(coordinators.indexOf(a), 1);
    await waitFor(() => leads(b), 'B takes over within the lease', 30_000);
    await sleep(1500);
    for (const n of stuck) expect(n.directives.slice(n.directives.lastIndexOf('9') + 1).every((t) => t === '')).toBe(true);
    for (const { value } of await b.store.list<{ desired?: unknown }>('nodes/')) expect(value.desired).toBeUndefined();
  }, 120_000);

  it('renders a NodeConfig applied on either replica, rolls it from the leader to the follower\'s nodes, and gives a new node there its pool\'s config', async () => {
    const config = { store: `etcd:${etcd.endpoint}`, etcd: { prefix: `/ha-config-${Date.now()}/` }, leaderLeaseSeconds: 2, rolloutIntervalMs: 200, heartbeatIntervalMs: 500 };
    const a = await startCoordinator(coordinatorConfig(tmp.dir, config), { log: silentLogger, replicaId: 'replica-a' });
    coordinators.push(a);
    await waitFor(() => leads(a), 'replica A leads');
    const b = await startCoordinator(coordinatorConfig(tmp.dir, config), { log: silentLogger, replicaId: 'replica-b' });
    coordinators.push(b);
    const onB = ['c1', 'c2', 'c3'].map((id) => new SimNode(id, `127.0.0.1:${b.grpcPort}`));
    nodes.push(...onB);
    for (const n of onB) n.connect();
    await waitFor(async () => (await a.store.list('nodes/')).length === 3, 'A sees the nodes');
    // Applied on the follower; the leader has the same rendered hash.
    const doc = { apiVersion: 'hostpilot.io/v1', kind: 'NodeConfig', metadata: { name: '10-base' }, spec: { selector: { pool: ['workers'] }, sysctls: { 'vm.swappiness': '10' } } };
    await b.resources.applyDocuments([{ where: 'doc', raw: doc }], { managedBy: 'apply' });
    const hash = (await b.configs.current('workers')).hash;
    expect((await a.configs.current('workers')).hash).toBe(hash);

    await a.rollouts.create(parseRolloutSpec({ id: 'ha-cfg', config_pool: 'workers', strategy: 'size:1' }));
    const done = await waitFor(async () => ((await a.rollouts.get('ha-cfg')).phase === 'completed' ? a.rollouts.get('ha-cfg') : undefined), 'the config rollout completes', 60_000);
    expect(Object.values(done.nodes).map((n) => n.phase)).toEqual(['done', 'done', 'done']);
    for (const n of onB) expect(n.configs).toContainEqual({ hash, sources: ['10-base'], rollout: 'ha-cfg' });

    // A node never seen, registering on the follower: its pool's config at once, no rollout.
    const c4 = new SimNode('c4', `127.0.0.1:${b.grpcPort}`);
    nodes.push(c4);
    c4.connect();
    await waitFor(() => c4.configHash === hash, 'c4 told its pool\'s config');
    expect(c4.configs).toEqual([{ hash, sources: ['10-base'], rollout: '' }]);
  }, 120_000);
});
