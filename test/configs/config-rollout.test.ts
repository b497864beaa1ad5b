// A rendered NodeConfig rolled out by the coordinator to simulated nodes (their
// agents' side is simulated: they apply what they are told and report its
// hash): applied through the resource service (conflicts refuse the whole
// set), rolled bucket by bucket without the reboot lock when nothing needs a
// reboot, through the lock when kernel arguments change, paused and rolled back
// to the previous rendered config when a node fails its health gate; a new
// node gets its pool's config at once.
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseRolloutSpec } from '../../common/api/rollout-spec.js';
import { silentLogger } from '../../common/log.js';
import { ConfigService } from '../../coordinator/configs/service.js';
import { FleetRegistry } from '../../coordinator/fleet/registry.js';
import { LockService } from '../../coordinator/locks/lock-service.js';
import { DisruptionGate } from '../../coordinator/fleet/disruption-gate.js';
import { RemediationController } from '../../coordinator/remediation/controller.js';
import { resourceHandlers } from '../../coordinator/resources/start.js';
import { ResourceService } from '../../coordinator/resources/service.js';
import { RolloutController } from '../../coordinator/rollout/controller.js';
import { SqliteStore } from '../../coordinator/store/sqlite.js';
import type { DesiredConfig__Output as DesiredConfig } from '../../proto/generated/hostpilot/v1/DesiredConfig.js';
import type { RenderedConfig } from '../../common/api/node-config.js';
import { nodeReport } from '../support/node-report.js';
import { waitFor } from '../support/tmp.js';

const T0 = Date.UTC(2026, 0, 7, 12, 0);

const nodeConfig = (name: string, spec: Record<string, unknown>) => ({ where: `fleet/${name}.yaml: document 1 (NodeConfig "${name}")`, raw: { apiVersion: 'hostpilot.io/v1', kind: 'NodeConfig', metadata: { name }, spec } });

const BASE = {
  selector: { pool: ['workers'] },
  files: [{ path: '/etc/hostpilot-test/motd', mode: '0644', contents: 'v1\n' }],
  units: [{ name: 'chronyd.service', dropIns: [{ name: '10-nice.conf', contents: '[Service]\nNice=5\n' }] }],
  sysctls: { 'vm.swappiness': '10' },
};

/** A node as the coordinator sees it: a Report stream that collects directives, and reports of what it runs. */
class SimNode {
  readonly configs: DesiredConfig[] = [];
  configHash = '';
  conditions: Array<{ type: string; status: boolean; reason: string; message: string; transition_unix_ms: number }> = [];

  constructor(
    readonly id: string,
    readonly rack: string,
    private readonly fleet: FleetRegistry,
  ) {}

  async connect(): Promise<void> {
    await this.report();
    this.fleet.attach(this.id, (d) => {
      if (d.desired_config) this.configs.push(d.desired_config as DesiredConfig);
    });
  }

  report(flowState = 'idle'): Promise<unknown> {
    return this.fleet.report(nodeReport(this.id, '1', flowState, '', { labels: { pool: 'workers', rack: this.rack }, config_hash: this.configHash, conditions: this.conditions }));
  }

  /** The last DesiredConfig the node was told, once it arrived. */
  told(hash: string): Promise<DesiredConfig> {
    return waitFor(() => this.configs.findLast((c) => c.hash === hash), `${this.id} told ${hash}`);
  }

  /** As the agent does once it converged: it reports the hash it applied. */
  async applied(hash: string): Promise<void> {
    this.configHash = hash;
    await this.report();
  }
}

describe('config rollout', () => {
  let store: SqliteStore;
  let t: number;
  let fleet: FleetRegistry;
  let locks: LockService;
  let configs: ConfigService;
  let controller: RolloutController;
  let resources: ResourceService;
  let nodes: SimNode[];

  beforeEach(async () => {
    store = new SqliteStore(':memory:');
    t = T0;
    const now = () => t;
    const registry = new Registry();
    locks = new LockService(store, { groups: new Map([['default', 1]]), allowNewGroups: false, newGroupSlots: 1 }, registry, silentLogger, now);
    await locks.init();
    fleet = new FleetRegistry(store, registry, silentLogger, { nodeTimeoutMs: 3_600_000, heartbeatIntervalMs: 1000 }, now);
    configs = new ConfigService(store, fleet, silentLogger, now);
    configs.attach();
    controller = new RolloutController(store, fleet, locks, registry, silentLogger, now, undefined, configs);
    const remediation = new RemediationController({ store, fleet, locks, gate: new DisruptionGate(), rollouts: controller, registry, log: silentLogger, now });
    resources = new ResourceService(store, resourceHandlers({ store, locks, rollouts: controller, configs, remediation }), registry, silentLogger, now);
    nodes = [['n1', 'r1'], ['n2', 'r1'], ['n3', 'r2'], ['n4', 'r2']].map(([id, rack]) => new SimNode(id!, rack!, fleet));
    for (const n of nodes) await n.connect();
    // Leading, with ticks by hand (the timer would next fire in an hour).
    controller.start(3_600_000);
  });
  afterEach(async () => {
    await controller.stop();
    store.close();
  });

  const phases = async (id: string) => Object.fromEntries(Object.entries((await controller.get(id)).nodes).map(([n, e]) => [n, e.phase]));
  const holders = async () => (await locks.list('default'))[0]?.holders.map((h) => h.nodeId) ?? [];
  const target = async () => (await configs.current('workers')).hash;
  // Validation throws before the apply starts: as a rejection, like the gRPC handler sees it.
  const apply = async (docs: Array<ReturnType<typeof nodeConfig>>) => resources.applyDocuments(docs, { managedBy: 'apply' });

  it('rolls a file, a drop-in and a sysctl out bucket by bucket without the reboot lock', async () => {
    await resources.applyDocuments([nodeConfig('10-base', BASE)], { managedBy: 'apply' });
    const h1 = await target();
    expect(h1).toMatch(/^sha256:[0-9a-f]{64}$/);
    // Existing nodes do not take a new config by themselves: only through a rollout.
    expect(nodes.every((n) => n.configs.length === 0)).toBe(true);

    const r = await controller.create(parseRolloutSpec({ id: 'cfg-1', config_pool: 'workers', strategy: 'by-label:rack', max_unavailable: '2' }));
    expect(r.spec.config).toEqual({ pool: 'workers', hash: h1 });
    expect(r.spec.selector).toEqual({ pool: ['workers'] });
    await controller.tick();
    expect(await phases('cfg-1')).toEqual({ n1: 'updating', n2: 'updating', n3: 'waiting', n4: 'waiting' });
    for (const n of nodes.slice(0, 2)) {
      const told = await n.told(h1);
      // A drop-in of a unit that may run: a restart, no reboot.
      expect(told).toMatchObject({ disruption: 'restart-units', rollout_id: 'cfg-1' });
      expect((JSON.parse(told.rendered_json) as RenderedConfig).sources).toEqual(['10-base']);
    }
    expect(nodes[2]!.configs).toEqual([]);
    // n1 applied it; rack r2 waits for the whole of rack r1.
    await nodes[0]!.applied(h1);
    await controller.tick();
    expect(await phases('cfg-1')).toEqual({ n1: 'done', n2: 'updating', n3: 'waiting', n4: 'waiting' });
    await nodes[1]!.applied(h1);
    await controller.tick();
    expect(await phases('cfg-1')).toEqual({ n1: 'done', n2: 'done', n3: 'updating', n4: 'updating' });
    for (const n of nodes.slice(2)) await n.applied((await n.told(h1)).hash);
    await controller.tick();
    expect((await controller.get('cfg-1')).phase).toBe('completed');
    expect(await holders()).toEqual([]);
    // The fleet and pool views show it.
    expect(fleet.view('n3')).toMatchObject({ configHash: h1, desiredConfig: { hash: h1, rolloutId: 'cfg-1' } });
    const [pool] = await controller.pools('pool');
    expect(pool).toMatchObject({ name: 'workers', configTarget: h1, configs: { [h1]: 4 } });
  });

  it('sends a kernel-argument change with a reboot disruption and moves the next node only once the lock is given back', async () => {
    await resources.applyDocuments([nodeConfig('10-base', BASE)], { managedBy: 'apply' });
    const h1 = await target();
    for (const n of nodes) await n.applied(h1);
    await resources.applyDocuments([nodeConfig('10-base', { ...BASE, kernelArguments: { append: ['mitigations=auto'] } })], { managedBy: 'apply' });
    const h2 = await target();
    expect(h2).not.toBe(h1);
    expect((await configs.current('workers')).history).toEqual([h1]);

    await controller.create(parseRolloutSpec({ id: 'kargs', config_pool: 'workers', strategy: 'size:4', max_unavailable: '1' }));
    await controller.tick();
    expect(await phases('kargs')).toEqual({ n1: 'updating', n2: 'waiting', n3: 'waiting', n4: 'waiting' });
    expect(await nodes[0]!.told(h2)).toMatchObject({ disruption: 'reboot' });
    // Its health timeout (30m) runs from the reboot lock, not while it waits for a slot.
    t += 3_600_000;
    await controller.tick();
    expect(await phases('kargs')).toEqual({ n1: 'updating', n2: 'waiting', n3: 'waiting', n4: 'waiting' });
    // The agent takes the lock for the reboot, reboots, comes back with the config applied.
    expect((await locks.acquire('n1', 'default', 'grpc')).granted).toBe(true);
    await nodes[0]!.report('rebooting');
    await controller.tick();
    expect(await phases('kargs')).toEqual({ n1: 'updating', n2: 'waiting', n3: 'waiting', n4: 'waiting' });
    await nodes[0]!.applied(h2);
    await controller.tick();
    // Done, but it still holds its slot: it still takes the pool's budget.
    expect(await phases('kargs')).toEqual({ n1: 'done', n2: 'waiting', n3: 'waiting', n4: 'waiting' });
    expect((await controller.get('kargs')).message).toMatch(/budget 1 used by n1 \(holds a reboot lock/);
    await locks.release('n1', 'default', 'grpc');
    await controller.tick();
    expect(await phases('kargs')).toEqual({ n1: 'done', n2: 'updating', n3: 'waiting', n4: 'waiting' });
    expect(await nodes[1]!.told(h2)).toMatchObject({ disruption: 'reboot', rollout_id: 'kargs' });
  });

  it('pauses on a node that fails its health gate and sends it back the previous rendered config', async () => {
    await resources.applyDocuments([nodeConfig('10-base', BASE)], { managedBy: 'apply' });
    const h1 = await target();
    for (const n of nodes) await n.applied(h1);
    await resources.applyDocuments([nodeConfig('10-base', { ...BASE, units: [{ name: 'broken.service', contents: '[Service]\nExecStart=/bin/false\n', enabled: true, active: true }] })], { managedBy: 'apply' });
    const h2 = await target();

    await controller.create(parseRolloutSpec({ id: 'bad', config_pool: 'workers', strategy: 'size:1', max_unavailable: '1', health_timeout_ms: 60_000, rollback_on_failure: true }));
    await controller.tick();
    expect(await phases('bad')).toEqual({ n1: 'updating', n2: 'waiting', n3: 'waiting', n4: 'waiting' });
    expect(await nodes[0]!.told(h2)).toMatchObject({ disruption: 'restart-units' });
    // It applied the config, but the unit it starts fails: the node is degraded.
    nodes[0]!.conditions = [{ type: 'FailedUnits', status: true, reason: 'broken.service', message: 'broken.service failed', transition_unix_ms: t }];
    await nodes[0]!.applied(h2);
    await controller.tick();
    expect(await phases('bad')).toEqual({ n1: 'updating', n2: 'waiting', n3: 'waiting', n4: 'waiting' });
    t += 61_000;
    await controller.tick();
    const paused = await controller.get('bad');
    expect(paused).toMatchObject({ phase: 'paused', pausedBy: 'failure' });
    expect(paused.reason).toMatch(/^1 node\(s\) failed: n1 \(not steady on config [0-9a-f]{12} of pool workers within 60s of being told \(state degraded\)\); the nodes moved are rolled back/);
    expect(paused.nodes.n1).toMatchObject({ phase: 'reverting', previousConfig: h1 });
    expect(await nodes[0]!.told(h1)).toMatchObject({ rollout_id: 'bad', disruption: 'restart-units' });
    // Back on the previous config and healthy: failed (reverted), the rollout stays paused, nobody else moved.
    nodes[0]!.conditions = [];
    await nodes[0]!.applied(h1);
    await controller.tick();
    const after = await controller.get('bad');
    expect(after.phase).toBe('paused');
    expect(after.nodes.n1).toMatchObject({ phase: 'failed' });
    expect(after.nodes.n1!.error).toMatch(/; reverted to config [0-9a-f]{12}$/);
    expect(nodes.slice(1).every((n) => n.configs.every((c) => c.hash !== h2))).toBe(true);
  });

  it('moves a node with an OS target and a config together: told both, done only when it runs both', async () => {
    await resources.applyDocuments([nodeConfig('10-base', { ...BASE, kernelArguments: { append: ['nosmt'] } })], { managedBy: 'apply' });
    const h1 = await target();
    // Declared as a Rollout resource that names the pool: it pins the pool's hash as it is created.
    await resources.applyDocuments(
      [{ where: 'r.yaml: document 1', raw: { apiVersion: 'hostpilot.io/v1', kind: 'Rollout', metadata: { name: 'both' }, spec: { target: '2', config: 'workers', strategy: 'size:4' } } }],
      { managedBy: 'apply' },
    );
    const r = await controller.get('both');
    expect(r.spec).toMatchObject({ target: '2', config: { pool: 'workers', hash: h1 }, selector: { pool: ['workers'] } });
    // Applied again it is unchanged (its canonical spec names the pool, not the hash).
    expect(await resources.applyDocuments([{ where: 'r.yaml: document 1', raw: { apiVersion: 'hostpilot.io/v1', kind: 'Rollout', metadata: { name: 'both' }, spec: { target: '2', config: 'workers', strategy: 'size:4' } } }], { managedBy: 'apply' })).toMatchObject([{ action: 'unchanged' }]);
    await controller.tick();
    expect(await phases('both')).toMatchObject({ n1: 'updating', n2: 'waiting' });
    expect(await nodes[0]!.told(h1)).toMatchObject({ disruption: 'reboot', rollout_id: 'both' });
    expect(fleet.view('n1')?.desired).toMatchObject({ target: '2', rolloutId: 'both' });
    // The config alone is not enough, nor the OS alone.
    await nodes[0]!.applied(h1);
    await controller.tick();
    expect(await phases('both')).toMatchObject({ n1: 'updating' });
    await fleet.report(nodeReport('n1', '2', 'idle', '', { labels: { pool: 'workers', rack: 'r1' }, config_hash: h1 }));
    await controller.tick();
    expect(await phases('both')).toMatchObject({ n1: 'done', n2: 'updating' });
  });

  it('keeps a pool\'s earlier rendered configs for rollbacks, bounded, and those its nodes run', async () => {
    const version = (i: number) => nodeConfig('10-base', { ...BASE, files: [{ path: '/etc/hostpilot-test/motd', mode: '0644', contents: `v${i}\n` }] });
    await resources.applyDocuments([version(0)], { managedBy: 'apply' });
    const h0 = await target();
    await nodes[0]!.applied(h0);
    const hashes = [h0];
    for (let i = 1; i <= 13; i++) {
      await resources.applyDocuments([version(i)], { managedBy: 'apply' });
      hashes.push(await target());
    }
    const pool = await configs.current('workers');
    expect(pool.hash).toBe(hashes[13]);
    expect(pool.history).toEqual(hashes.slice(3, 13));
    // The target, its 10 predecessors and h0, which n1 still runs; the rest are gone.
    const stored = (await store.list<{ hash: string }>('configs/rendered/')).map((e) => e.value.hash).sort();
    expect(stored).toEqual([h0, ...hashes.slice(3)].sort());
    // Back to an earlier config: it becomes the target and leaves the history.
    await resources.applyDocuments([version(12)], { managedBy: 'apply' });
    expect(await configs.current('workers')).toMatchObject({ hash: hashes[12], history: [...hashes.slice(3, 12), hashes[13]] });
    // Deleting every NodeConfig of the pool leaves it no target.
    await resources.delete([{ kind: 'NodeConfig', name: '10-base' }]);
    expect((await configs.current('workers')).hash).toBe('');
  });

  it('gives a node it has never seen its pool\'s current config at once', async () => {
    await resources.applyDocuments([nodeConfig('10-base', BASE)], { managedBy: 'apply' });
    const h1 = await target();
    await fleet.register({ node_id: 'n5', hostname: 'n5', labels: { pool: 'workers' }, os: null, agent_version: 'test' });
    const n5 = new SimNode('n5', 'r3', fleet);
    await n5.connect();
    expect(await n5.told(h1)).toMatchObject({ rollout_id: '', disruption: 'restart-units' });
    // A node of a pool no NodeConfig selects is told nothing.
    await fleet.register({ node_id: 'i1', hostname: 'i1', labels: { pool: 'infra' }, os: null, agent_version: 'test' });
    expect(fleet.view('i1')?.desiredConfig).toBeUndefined();
  });

  it('refuses a set with a conflict or a bad field whole, naming both configs or the field; nothing is applied', async () => {
    const conflicting = [nodeConfig('10-base', BASE), nodeConfig('20-more', { files: [{ path: '/etc/hostpilot-test/motd', mode: '0600', contents: 'v1\n' }] })];
    await expect(apply(conflicting)).rejects.toThrow(
      'fleet/20-more.yaml: document 1 (NodeConfig "20-more"): NodeConfig "10-base" and NodeConfig "20-more" both set file /etc/hostpilot-test/motd, differently (pool workers)',
    );
    await expect(apply([nodeConfig('10-base', BASE), nodeConfig('30-bad', { files: [{ path: '/usr/lib/x', contents: '' }] })])).rejects.toThrow(
      'fleet/30-bad.yaml: document 1 (NodeConfig "30-bad"): spec.files[0].path: "/usr/lib/x" is not under /etc or /var',
    );
    await expect(apply([nodeConfig('10-base', { ...BASE, kernelArguments: { append: ['a b'] } })])).rejects.toThrow(
      'spec.kernelArguments.append[0]: "a b" is not a kernel argument (key or key=value)',
    );
    expect(await store.list('resources/NodeConfig/')).toEqual([]);
    expect(await store.list('configs/')).toEqual([]);
    // One applied alone is fine; a later conflicting one is refused against it.
    await resources.applyDocuments([nodeConfig('10-base', BASE)], { managedBy: 'apply' });
    await expect(apply([conflicting[1]!])).rejects.toThrow(/NodeConfig "10-base" and NodeConfig "20-more" both set file/);
    expect((await store.list('resources/NodeConfig/')).map((e) => e.key)).toEqual(['resources/NodeConfig/10-base']);
  });
});
