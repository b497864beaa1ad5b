// The rollout controller over a real SQLite store, a FleetRegistry fed with
// reports and the real lock service; agents are simulated in-process (they
// report what they run and obey the desired target they are sent).
import { Registry } from 'prom-client';
import { nodeReport } from '../support/node-report.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/log.js';
import { FleetRegistry } from '../../coordinator/fleet/registry.js';
import { LockService } from '../../coordinator/locks/lock-service.js';
import { RolloutController } from '../../coordinator/rollout/controller.js';
import { budgetFor } from '../../coordinator/rollout/planner.js';
import { parseRolloutSpec } from '../../common/api/rollout-spec.js';
import { SqliteStore } from '../../coordinator/store/sqlite.js';
import type { Directive } from '../../proto/generated/hostpilot/v1/Directive.js';
import type { NodeReport__Output } from '../../proto/generated/hostpilot/v1/NodeReport.js';
import type { RolloutSpec as WireSpec } from '../../proto/generated/hostpilot/v1/RolloutSpec.js';
import { makeTempDir } from '../support/tmp.js';

let now = Date.UTC(2026, 0, 7, 12, 0);
const clock = () => now;

/** One coordinator process: store, fleet, locks and controller on one SQLite file. */
class Coordinator {
  private constructor(
    readonly store: SqliteStore,
    readonly fleet: FleetRegistry,
    readonly locks: LockService,
    readonly rollouts: RolloutController,
  ) {}

  static async open(path: string): Promise<Coordinator> {
    const store = new SqliteStore(path);
    const registry = new Registry();
    const fleet = new FleetRegistry(store, registry, silentLogger, { nodeTimeoutMs: 60_000, heartbeatIntervalMs: 5_000 }, clock);
    await fleet.init();
    const locks = new LockService(store, { groups: new Map([['default', 10]]), allowNewGroups: false, newGroupSlots: 1 }, registry, silentLogger, clock);
    await locks.init();
    const rollouts = new RolloutController(store, fleet, locks, registry, silentLogger, clock);
    // This process leads (as a coordinator on SQLite does); the test drives the ticks itself.
    rollouts.start(3_600_000);
    return new Coordinator(store, fleet, locks, rollouts);
  }

  /** A full pass that started after everything before it (a pass already under way may predate the last report). */
  async tick(): Promise<void> {
    await this.rollouts.tick();
    await this.rollouts.tick();
  }

  async close(): Promise<void> {
    await this.rollouts.stop();
    await this.store.close();
  }
}

/** A simulated agent: reports its booted version; told a new target, it reboots into it over two steps. */
class Agent {
  /** Desired targets received, one list per Report stream. */
  streams: string[][] = [];
  /** Directives that cleared the desired target. */
  cleared = 0;
  pending: string | undefined;
  rebooting = false;
  /** The agent's flow state when idle between reboots: '' / 'idle', or 'failed' until told a new target. */
  flow = 'idle';
  flowError = '';
  private detach: (() => void) | undefined;

  constructor(
    readonly id: string,
    readonly labels: Record<string, string>,
    public version = '1.0',
  ) {}

  get told(): string[] {
    return this.streams.flat();
  }

  /** Disrupted from the moment it is told a new target until it is steady on it. */
  get unavailable(): boolean {
    return this.pending !== undefined;
  }

  async connect(c: Coordinator): Promise<void> {
    await c.fleet.register({ node_id: this.id, hostname: this.id, labels: this.labels, os: null, agent_version: 'test' });
    const received: string[] = [];
    this.streams.push(received);
    this.detach = c.fleet.attach(this.id, (d: Directive) => {
      if (!d.desired_target) return;
      const target = d.desired_target.target ?? '';
      // An empty target says "nothing desired" (on every attach, and when a rollout ends).
      if (target === '') {
        this.cleared++;
        if (!this.rebooting) this.pending = undefined;
        return;
      }
      received.push(target);
      if (this.flow === 'failed' && target !== this.failedTarget) this.flow = 'idle';
      if (target !== '' && target !== this.version && this.flow !== 'failed') this.pending = target;
    });
    await this.send(c);
  }

  disconnect(): void {
    this.detach?.();
  }

  report(flow = 'idle'): NodeReport__Output {
    return nodeReport(this.id, this.version, flow, '', {
      labels: this.labels,
      deployments: [{ id: `testos-${this.version}`, osname: 'testos', checksum: '', version: this.version, origin: 'os:testos/stable', booted: true, staged: false, pinned: false, index: 0, timestamp_unix: 0 }],
      flow_target: this.pending ?? '',
    });
  }

  send(c: Coordinator, flow = this.flow): Promise<unknown> {
    return c.fleet.report({ ...this.report(flow), flow_error: flow === 'failed' ? this.flowError : '' });
  }

  private failedTarget = '';

  /** Its health check failed after the reboot: the agent rolled itself back and stays failed until told a new target. */
  async fail(c: Coordinator, error: string): Promise<void> {
    this.failedTarget = this.pending ?? '';
    this.pending = undefined;
    this.rebooting = false;
    this.flow = 'failed';
    this.flowError = error;
    await this.send(c);
  }

  /** One step of the node's life: start rebooting, or come back on the target. */
  async advance(c: Coordinator): Promise<void> {
    if (this.pending === undefined) return;
    if (!this.rebooting) {
      this.rebooting = true;
      await this.send(c, 'rebooting');
      return;
    }
    this.version = this.pending;
    this.pending = undefined;
    this.rebooting = false;
    await this.send(c);
  }
}

const wire = (over: Partial<WireSpec> = {}): Partial<WireSpec> => ({ id: 'r1', target: '2.0', strategy: 'by-label:rack', max_unavailable: '5', ...over });

describe('RolloutController on SQLite', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  const open: Coordinator[] = [];
  const start = async () => {
    const c = await Coordinator.open(`${tmp.dir}/coordinator.db`);
    open.push(c);
    return c;
  };

  beforeEach(() => {
    tmp = makeTempDir();
    now = Date.UTC(2026, 0, 7, 12, 0);
  });
  afterEach(async () => {
    for (const c of open.splice(0)) await c.close().catch(() => undefined);
    tmp.remove();
  });

  const rackFleet = () => [new Agent('a1', { pool: 'workers', rack: 'r1' }), new Agent('a2', { pool: 'workers', rack: 'r1' }), new Agent('b1', { pool: 'workers', rack: 'r2' }), new Agent('b2', { pool: 'workers', rack: 'r2' })];

  it('tells only the first bucket, advances bucket by bucket as nodes report steady, and completes', async () => {
    const c = await start();
    const agents = rackFleet();
    for (const a of agents) await a.connect(c);
    await c.rollouts.create(parseRolloutSpec(wire()));
    await c.tick();
    expect(agents.map((a) => a.told)).toEqual([['2.0'], ['2.0'], [], []]);
    expect((await c.rollouts.get('r1')).nodes['a1']).toMatchObject({ phase: 'updating', previous: '1.0' });

    // Rebooting: nothing more happens, however often it ticks.
    for (const a of agents) await a.advance(c);
    now += 60_000;
    await c.tick();
    await c.tick();
    expect(agents.map((a) => a.told)).toEqual([['2.0'], ['2.0'], [], []]);

    // Rack r1 is steady on 2.0: rack r2 goes.
    for (const a of agents) await a.advance(c);
    now += 60_000;
    await c.tick();
    expect(agents.map((a) => a.told)).toEqual([['2.0'], ['2.0'], ['2.0'], ['2.0']]);
    expect((await c.rollouts.get('r1')).bucket).toBe(1);

    for (const a of agents) await a.advance(c);
    for (const a of agents) await a.advance(c);
    now += 60_000;
    await c.tick();
    const done = await c.rollouts.get('r1');
    expect(done.phase).toBe('completed');
    expect(Object.values(done.nodes).map((n) => n.phase)).toEqual(['done', 'done', 'done', 'done']);
    // Nobody was told anything twice.
    expect(agents.map((a) => a.told)).toEqual([['2.0'], ['2.0'], ['2.0'], ['2.0']]);
  });

  it('shares the budget with a FleetLock client holding a slot of the lock group', async () => {
    const c = await start();
    const agents = [new Agent('n1', { pool: 'workers', role: 'os' }), new Agent('n2', { pool: 'workers', role: 'os' }), new Agent('zincati-1', { pool: 'workers', role: 'zincati' })];
    for (const a of agents) await a.connect(c);
    expect((await c.locks.acquire('zincati-1', 'default', 'fleetlock')).granted).toBe(true);
    await c.rollouts.create(parseRolloutSpec(wire({ strategy: 'size:10', max_unavailable: '1', selector: { role: 'os' } })));
    await c.tick();
    expect(agents.map((a) => a.told)).toEqual([[], [], []]);
    await c.locks.release('zincati-1', 'default', 'fleetlock');
    await c.tick();
    expect(agents.map((a) => a.told)).toEqual([['2.0'], [], []]);
  });

  it('refuses a rollout over nodes of an active one, a duplicate id and an empty selection, and changes nothing', async () => {
    const c = await start();
    const agents = rackFleet();
    for (const a of agents) await a.connect(c);
    await c.rollouts.create(parseRolloutSpec(wire()));
    await c.tick();
    await expect(c.rollouts.create(parseRolloutSpec(wire({ id: 'r2', target: '3.0', selector: { rack: 'r2' } })))).rejects.toMatchObject({ kind: 'failed_precondition', message: expect.stringMatching(/already in active rollout r1/) });
    await expect(c.rollouts.create(parseRolloutSpec(wire({ selector: { rack: 'r9' } })))).rejects.toMatchObject({ kind: 'invalid_argument', field: 'selector' });
    await expect(c.rollouts.get('r2')).rejects.toMatchObject({ kind: 'not_found' });
    expect((await c.rollouts.list()).map((r) => r.spec.id)).toEqual(['r1']);
    // Once r1 is aborted, its nodes are free; the same id is still taken.
    await c.rollouts.abort('r1');
    await expect(c.rollouts.create(parseRolloutSpec(wire()))).rejects.toMatchObject({ kind: 'failed_precondition', message: 'rollout r1 exists already' });
    await c.rollouts.create(parseRolloutSpec(wire({ id: 'r2', target: '3.0', selector: { rack: 'r2' } })));
    await c.tick();
    expect(agents.map((a) => a.told)).toEqual([['2.0'], ['2.0'], ['3.0'], ['3.0']]);
  });

  it('of two concurrent creates over the same nodes, one is refused', async () => {
    const c = await start();
    for (const a of rackFleet()) await a.connect(c);
    const results = await Promise.allSettled([c.rollouts.create(parseRolloutSpec(wire({ id: 'ra' }))), c.rollouts.create(parseRolloutSpec(wire({ id: 'rb', selector: { rack: 'r1' } })))]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ kind: 'failed_precondition' });
    expect(await c.rollouts.list()).toHaveLength(1);
  });

  it('pauses, resumes and aborts by hand, refusing what does not apply', async () => {
    const c = await start();
    const agents = [new Agent('n1', { pool: 'workers' }), new Agent('n2', { pool: 'workers' })];
    for (const a of agents) await a.connect(c);
    await c.rollouts.create(parseRolloutSpec(wire({ strategy: 'size:1', max_unavailable: '1' })));
    await c.tick();
    expect((await c.rollouts.pause('r1')).phase).toBe('paused');
    await expect(c.rollouts.pause('r1')).rejects.toMatchObject({ kind: 'failed_precondition' });
    await expect(c.rollouts.pause('nope')).rejects.toMatchObject({ kind: 'not_found' });
    await expect(c.rollouts.pause('Bad Id')).rejects.toMatchObject({ kind: 'invalid_argument', field: 'id' });
    // n1 finishes while paused: followed, but n2 is not started.
    await agents[0]!.advance(c);
    await agents[0]!.advance(c);
    await c.tick();
    expect((await c.rollouts.get('r1')).nodes['n1']!.phase).toBe('done');
    expect(agents[1]!.told).toEqual([]);
    expect((await c.rollouts.resume('r1')).phase).toBe('running');
    await expect(c.rollouts.resume('r1')).rejects.toMatchObject({ kind: 'failed_precondition' });
    await c.tick();
    expect(agents[1]!.told).toEqual(['2.0']);
    expect((await c.rollouts.abort('r1')).phase).toBe('aborted');
    await expect(c.rollouts.abort('r1')).rejects.toMatchObject({ kind: 'failed_precondition' });
    await agents[1]!.advance(c);
    await agents[1]!.advance(c);
    await c.tick();
    expect((await c.rollouts.get('r1')).phase).toBe('aborted');
  });

  it('survives a coordinator restart mid-rollout: no node told twice beyond the idempotent re-send, budget kept, completes', async () => {
    const pool = 'workers';
    const agents = Array.from({ length: 9 }, (_, i) => new Agent(`n${i + 1}`, { pool, rack: `r${Math.floor(i / 3) + 1}` }));
    const budget = budgetFor(agents.length, { kind: 'count', count: 2 });
    let maxDown = 0;
    const check = () => {
      const down = agents.filter((a) => a.unavailable).length;
      maxDown = Math.max(maxDown, down);
      expect(down).toBeLessThanOrEqual(budget);
    };
    const round = async (c: Coordinator, moveOnly?: string[]) => {
      for (const a of agents) if (!moveOnly || moveOnly.includes(a.id)) await a.advance(c);
      now += 30_000;
      await c.tick();
      check();
    };

    let c = await start();
    for (const a of agents) await a.connect(c);
    await c.rollouts.create(parseRolloutSpec(wire({ strategy: 'by-label:rack', max_unavailable: '2', settle_ms: 60_000 })));
    await c.tick();
    check();
    expect(agents.filter((a) => a.told.length > 0).map((a) => a.id)).toEqual(['n1', 'n2']);
    // n1 comes back on 2.0; n2 stays in its reboot.
    await round(c, ['n1']);
    await round(c, ['n1']);
    expect(agents.filter((a) => a.told.length > 0).map((a) => a.id)).toEqual(['n1', 'n2', 'n3']);

    // The coordinator goes away mid-rollout (n2 and n3 in flight) and comes back on the same file.
    for (const a of agents) a.disconnect();
    await c.close();
    c = await start();
    const before = await c.rollouts.get('r1');
    expect(Object.entries(before.nodes).filter(([, n]) => n.phase === 'updating').map(([id]) => id)).toEqual(['n2', 'n3']);
    for (const a of agents) await a.connect(c);
    await c.tick();
    check();
    // The only directives after the restart are the recorded targets re-sent as the streams attach.
    expect(agents.map((a) => a.streams[1])).toEqual([['2.0'], ['2.0'], ['2.0'], [], [], [], [], [], []]);

    for (let i = 0; i < 40 && (await c.rollouts.get('r1')).phase !== 'completed'; i++) await round(c);
    const done = await c.rollouts.get('r1');
    expect(done.phase).toBe('completed');
    expect(agents.every((a) => a.version === '2.0')).toBe(true);
    expect(maxDown).toBe(budget);
    for (const a of agents) {
      // Per stream, a node is told its target at most once.
      for (const s of a.streams) expect(s.length).toBeLessThanOrEqual(1);
      expect(new Set(a.told)).toEqual(new Set(['2.0']));
    }
  });

  it('a restart between recording a start and telling the node still tells it, once', async () => {
    const agents = [new Agent('n1', { pool: 'workers' }), new Agent('n2', { pool: 'workers' })];
    let c = await start();
    for (const a of agents) await a.connect(c);
    // The first coordinator dies right after writing the plan, before any node is told.
    c.fleet.setDesired = async () => {
      throw new Error('killed');
    };
    await c.rollouts.create(parseRolloutSpec(wire({ strategy: 'size:1', max_unavailable: '1' })));
    await c.tick();
    expect((await c.rollouts.get('r1')).nodes['n1']!.phase).toBe('updating');
    expect(agents.map((a) => a.told)).toEqual([[], []]);
    for (const a of agents) a.disconnect();
    await c.close();

    c = await start();
    for (const a of agents) await a.connect(c);
    await c.tick();
    await c.tick();
    expect(agents.map((a) => a.told)).toEqual([['2.0'], []]);
  });

  it('pauses on a failed node and rolls back the nodes moved, telling each its previous version once', async () => {
    const c = await start();
    const agents = [new Agent('n1', { pool: 'workers' }), new Agent('n2', { pool: 'workers' }, '1.1'), new Agent('n3', { pool: 'workers' })];
    for (const a of agents) await a.connect(c);
    await c.rollouts.create(parseRolloutSpec(wire({ strategy: 'size:1', max_unavailable: '1', rollback_on_failure: true })));
    await c.tick();
    for (let i = 0; i < 2; i++) await agents[0]!.advance(c);
    await c.tick();
    expect(agents.map((a) => a.told)).toEqual([['2.0'], ['2.0'], []]);
    await agents[1]!.fail(c, 'health check failed: kubelet');
    await c.tick();
    const paused = await c.rollouts.get('r1');
    expect(paused).toMatchObject({ phase: 'paused', pausedBy: 'failure' });
    expect(paused.reason).toMatch(/n2 \(health check failed: kubelet\).*resume or abort by hand/);
    expect(agents.map((a) => a.told)).toEqual([['2.0', '1.0'], ['2.0', '1.1'], []]);
    // The agents go back (n2 already booted 1.1 again and leaves its failed state on the new target).
    for (let i = 0; i < 2; i++) await agents[0]!.advance(c);
    await agents[1]!.send(c);
    for (let i = 0; i < 5; i++) {
      now += 60_000;
      await c.tick();
    }
    const after = await c.rollouts.get('r1');
    expect(after.phase).toBe('paused');
    expect(Object.fromEntries(Object.entries(after.nodes).map(([id, n]) => [id, n.phase]))).toEqual({ n1: 'failed', n2: 'failed', n3: 'waiting' });
    expect(agents.map((a) => a.version)).toEqual(['1.0', '1.1', '1.0']);
    expect(agents.map((a) => a.told)).toEqual([['2.0', '1.0'], ['2.0', '1.1'], []]);
    // Resumed by hand, it goes on with n3 and does not pause again on n1 and n2.
    await c.rollouts.resume('r1');
    await c.tick();
    expect((await c.rollouts.get('r1')).phase).toBe('running');
    expect(agents[2]!.told).toEqual(['2.0']);
  });

  it('a restart between recording a rollback and telling the node still tells it', async () => {
    const agents = [new Agent('n1', { pool: 'workers' }), new Agent('n2', { pool: 'workers' })];
    let c = await start();
    for (const a of agents) await a.connect(c);
    await c.rollouts.create(parseRolloutSpec(wire({ strategy: 'size:1', max_unavailable: '1', rollback_on_failure: true })));
    await c.tick();
    await agents[0]!.fail(c, 'boom');
    const setDesired = c.fleet.setDesired.bind(c.fleet);
    c.fleet.setDesired = async (nodeId, desired) => {
      if (desired?.target === '1.0') throw new Error('killed');
      return setDesired(nodeId, desired);
    };
    await c.tick();
    expect((await c.rollouts.get('r1')).nodes['n1']!.phase).toBe('reverting');
    expect(agents[0]!.told).toEqual(['2.0']);
    for (const a of agents) a.disconnect();
    await c.close();

    c = await start();
    for (const a of agents) await a.connect(c);
    await c.tick();
    await c.tick();
    // The rollback, once: told as the stream attaches (the leader's first step may record it
    // first) or after the recorded target 2.0.
    expect(agents[0]!.streams[1]!.filter((t) => t === '1.0')).toEqual(['1.0']);
    expect(agents[0]!.streams[1]!.at(-1)).toBe('1.0');
    await agents[0]!.send(c);
    await c.tick();
    expect((await c.rollouts.get('r1')).nodes['n1']).toMatchObject({ phase: 'failed', error: 'boom; reverted to 1.0' });
    expect(agents[1]!.told).toEqual([]);
  });

  it('two rollouts over different nodes of one pool share its budget', async () => {
    const c = await start();
    const agents = rackFleet();
    for (const a of agents) await a.connect(c);
    await c.rollouts.create(parseRolloutSpec(wire({ id: 'ra', selector: { rack: 'r1' }, max_unavailable: '1' })));
    await c.rollouts.create(parseRolloutSpec(wire({ id: 'rb', selector: { rack: 'r2' }, max_unavailable: '1' })));
    await c.tick();
    // Pool workers may lose one node at a time, whichever rollout moves it.
    expect(agents.filter((a) => a.unavailable).map((a) => a.id)).toEqual(['a1']);
    for (let i = 0; i < 20; i++) {
      for (const a of agents) await a.advance(c);
      now += 30_000;
      await c.tick();
      expect(agents.filter((a) => a.unavailable).length).toBeLessThanOrEqual(1);
    }
    expect((await c.rollouts.list()).map((r) => r.phase)).toEqual(['completed', 'completed']);
  });
});
