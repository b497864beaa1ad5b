// A rollout to an image tag moves every node to ONE digest, even when the tag
// moves mid-rollout: the first node resolves the tag, the coordinator pins the
// rollout to that digest (coordinator/rollout/image-pin.ts). Real SQLite store,
// fleet registry, lock service and rollout controller; bootc agents simulated
// in-process (they resolve a tag against a "registry" when told it).
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/log.js';
import { parseRolloutSpec } from '../../common/api/rollout-spec.js';
import { FleetRegistry } from '../../coordinator/fleet/registry.js';
import { toWireRollout } from '../../coordinator/grpc/rollouts-service.js';
import { LockService } from '../../coordinator/locks/lock-service.js';
import { RolloutController } from '../../coordinator/rollout/controller.js';
import { pinFromReports, resolverOf, targetFor } from '../../coordinator/rollout/image-pin.js';
import type { Rollout } from '../../coordinator/rollout/types.js';
import { SqliteStore } from '../../coordinator/store/sqlite.js';
import type { NodeReport__Output } from '../../proto/generated/hostpilot/v1/NodeReport.js';
import { digestOf } from '../support/bootc-host.js';

const IMAGE = 'quay.io/example/os';
const TAG = `${IMAGE}:stable`;

/** A bootc node as the coordinator sees it: told a tag, it fetches what the registry has under it now. */
class BootcAgent {
  told: string[] = [];
  booted: { origin: string; digest: string } = { origin: TAG, digest: digestOf(1) };
  pending: { origin: string; digest: string } | undefined;
  resolved = '';
  constructor(
    readonly id: string,
    private readonly registry: Map<string, string>,
  ) {}

  async connect(fleet: FleetRegistry): Promise<void> {
    await fleet.register({ node_id: this.id, hostname: this.id, labels: { pool: 'workers' }, os: null, agent_version: 'test' });
    fleet.attach(this.id, (d) => {
      const target = d.desired_target?.target;
      if (!target) return;
      this.told.push(target);
      const at = target.indexOf('@');
      const digest = at >= 0 ? target.slice(at + 1) : this.registry.get(target)!;
      if (at < 0) this.resolved = `${target}@${digest}`;
      else if (!this.resolved.endsWith(`@${digest}`)) this.resolved = '';
      if (digest !== this.booted.digest) this.pending = { origin: target, digest };
    });
    await this.report(fleet);
  }

  report(fleet: FleetRegistry): Promise<unknown> {
    const r: NodeReport__Output = {
      node_id: this.id,
      hostname: this.id,
      labels: { pool: 'workers' },
      os: null,
      deployments: [{ id: `default-${this.booted.digest}`, osname: 'default', checksum: this.booted.digest, version: '', origin: this.booted.origin, booted: true, staged: false, pinned: false, index: 0, timestamp_unix: 0 }],
      flow_state: this.pending ? 'pending' : 'idle',
      flow_target: '',
      flow_error: '',
      conditions: [],
      resolved_target: this.resolved,
      config_hash: '',
      remediation: null,
    };
    return fleet.report(r);
  }

  /** Reboots into what it staged and reports steady. */
  async boot(fleet: FleetRegistry): Promise<void> {
    if (this.pending) this.booted = this.pending;
    this.pending = undefined;
    await this.report(fleet);
  }
}

describe('rollout to an image tag', () => {
  let store: SqliteStore;
  beforeEach(() => {
    store = new SqliteStore(':memory:');
  });
  afterEach(() => store.close());

  it('pins the tag to the digest the first node resolved; a tag that moves mid-rollout does not split the fleet', async () => {
    const registry = new Registry();
    const now = () => 1_000_000;
    const locks = new LockService(store, { groups: new Map([['default', 10]]), allowNewGroups: false, newGroupSlots: 1 }, registry, silentLogger, now);
    const fleet = new FleetRegistry(store, registry, silentLogger, { nodeTimeoutMs: 60_000, heartbeatIntervalMs: 1000 }, now);
    const controller = new RolloutController(store, fleet, locks, registry, silentLogger, now);
    const tags = new Map([[TAG, digestOf(2)]]);
    const agents = ['n1', 'n2', 'n3', 'n4'].map((id) => new BootcAgent(id, tags));
    for (const a of agents) await a.connect(fleet);
    controller.start(3_600_000);
    await controller.create(parseRolloutSpec({ id: 'r1', target: TAG, strategy: 'size:2', max_unavailable: '2' }));
    const tick = async () => {
      await controller.tick();
      await controller.tick();
    };

    await tick();
    // Two nodes started, only the first one is told the tag; nobody counts as on target yet,
    // although every node follows the tag already (on an older digest).
    expect(agents.map((a) => a.told)).toEqual([[TAG], [], [], []]);
    expect(Object.values((await controller.get('r1')).nodes).map((n) => n.phase)).toEqual(['updating', 'updating', 'waiting', 'waiting']);

    // n1 fetched the tag (digest 2) and says so; then the tag moves to digest 3.
    await agents[0]!.report(fleet);
    tags.set(TAG, digestOf(3));
    await tick();
    const pinned = `${IMAGE}@${digestOf(2)}`;
    expect((await controller.get('r1')).pinnedTarget).toBe(pinned);
    expect(toWireRollout(await controller.get('r1')).pinned_target).toBe(pinned);
    expect(agents.map((a) => a.told)).toEqual([[TAG, pinned], [pinned], [], []]);

    for (const a of agents.slice(0, 2)) await a.boot(fleet);
    await tick();
    expect(agents.map((a) => a.told.at(-1))).toEqual([pinned, pinned, pinned, pinned]);
    for (const a of agents.slice(2)) await a.boot(fleet);
    await tick();

    const done = await controller.get('r1');
    expect(done.phase).toBe('completed');
    expect(new Set(agents.map((a) => a.booted.digest))).toEqual(new Set([digestOf(2)]));
    // The moving tag was only ever sent to the one node that resolved it.
    expect(agents.flatMap((a) => a.told).filter((t) => t === TAG)).toHaveLength(1);
    await controller.stop();
  });

  it('pins only from the resolver, and only a report for the same repository and tag', () => {
    const rollout = {
      spec: { target: TAG },
      buckets: [{ name: 'b1', nodes: ['n1', 'n2'] }],
      nodes: { n1: { phase: 'updating', since: 0 }, n2: { phase: 'updating', since: 0 } },
    } as unknown as Rollout;
    expect(resolverOf(rollout)).toBe('n1');
    expect(targetFor(rollout, 'n1')).toBe(TAG);
    expect(targetFor(rollout, 'n2')).toBeUndefined();
    const reports = (m: Record<string, string>) => (id: string) => m[id];
    expect(pinFromReports(rollout, reports({ n2: `${TAG}@${digestOf(2)}` })).pinnedTarget).toBeUndefined();
    expect(pinFromReports(rollout, reports({ n1: `${IMAGE}:testing@${digestOf(2)}` })).pinnedTarget).toBeUndefined();
    expect(pinFromReports(rollout, reports({ n1: `quay.io/other/os:stable@${digestOf(2)}` })).pinnedTarget).toBeUndefined();
    expect(pinFromReports(rollout, reports({ n1: TAG })).pinnedTarget).toBeUndefined();
    const pinned = pinFromReports(rollout, reports({ n1: `${TAG}@${digestOf(2)}` }));
    expect(pinned.pinnedTarget).toBe(`${IMAGE}@${digestOf(2)}`);
    expect(targetFor(pinned, 'n2')).toBe(`${IMAGE}@${digestOf(2)}`);
    // A digest target needs no pin: every node is told it at once.
    const digest = { ...rollout, spec: { target: `${IMAGE}@${digestOf(5)}` } } as unknown as Rollout;
    expect(targetFor(digest, 'n2')).toBe(`${IMAGE}@${digestOf(5)}`);
  });
});
