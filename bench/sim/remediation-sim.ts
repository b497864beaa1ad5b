// The fleet simulator for remediation: the coordinator's real parts (SQLite
// store, lock service, fleet registry, rollout and remediation controllers,
// the resource service) in one process on a simulated clock, and simulated
// agents that report through the registry and carry out what they are told
// the way the agent does: a remediation order once per id (a re-sent one is
// answered with the result it had), a reboot only under a reboot-lock slot
// (lock, reboot for rebootMs, report steady, then release), a desired target
// through the same reboot flow. Faults are set by the caller and say what
// repairs them. Time moves only in step(): runs are deterministic, and a
// 6-hour remediation ladder simulates in milliseconds.
import { Registry } from 'prom-client';
import { silentLogger } from '../../common/log.js';
import { DisruptionGate } from '../../coordinator/fleet/disruption-gate.js';
import { FleetRegistry } from '../../coordinator/fleet/registry.js';
import { LockService } from '../../coordinator/locks/lock-service.js';
import type { Notifier, NotifyEvent } from '../../coordinator/notify/event.js';
import { RemediationController } from '../../coordinator/remediation/controller.js';
import { ConfigService } from '../../coordinator/configs/service.js';
import { resourceHandlers } from '../../coordinator/resources/start.js';
import { ResourceService } from '../../coordinator/resources/service.js';
import { RolloutController } from '../../coordinator/rollout/controller.js';
import { SqliteStore } from '../../coordinator/store/sqlite.js';
import type { Directive } from '../../proto/generated/hostpilot/v1/Directive.js';
import type { NodeReport__Output } from '../../proto/generated/hostpilot/v1/NodeReport.js';
import type { RemediationResult__Output } from '../../proto/generated/hostpilot/v1/RemediationResult.js';

/** What repairs a fault: restarting this unit (or a reboot), a reboot, or nothing (reprovisioning). */
export type FaultCure = { by: 'restart'; unit: string } | { by: 'reboot' } | { by: 'nothing' };

export interface SimFleetOptions {
  /** `sqlite:` file (restarts reopen it) or ':memory:'. */
  storePath: string;
  /** Node ids by pool (label `pool`). */
  pools: Record<string, string[]>;
  slots: number;
  rebootMs: number;
  /** A silent node counts as unreachable after this. */
  nodeTimeoutMs?: number;
  startAt: number;
}

/** One order as an agent carried it out. */
export interface Executed {
  node: string;
  id: string;
  action: string;
  at: number;
}

class Coordinator {
  readonly registry = new Registry();
  readonly store: SqliteStore;
  readonly locks: LockService;
  readonly fleet: FleetRegistry;
  readonly rollouts: RolloutController;
  readonly remediation: RemediationController;
  readonly resources: ResourceService;

  constructor(options: SimFleetOptions, now: () => number, notifier: Notifier) {
    this.store = new SqliteStore(options.storePath);
    this.locks = new LockService(this.store, { groups: new Map([['default', options.slots]]), allowNewGroups: false, newGroupSlots: 1 }, this.registry, silentLogger, now);
    this.fleet = new FleetRegistry(this.store, this.registry, silentLogger, { nodeTimeoutMs: options.nodeTimeoutMs ?? 120_000, heartbeatIntervalMs: 10_000 }, now);
    const gate = new DisruptionGate();
    const configs = new ConfigService(this.store, this.fleet, silentLogger, now);
    this.rollouts = new RolloutController(this.store, this.fleet, this.locks, this.registry, silentLogger, now, notifier, configs);
    this.rollouts.shareBudget(gate);
    // resendMs 0: an unanswered order goes again on every pass (the simulated agents answer at once).
    this.remediation = new RemediationController({ store: this.store, fleet: this.fleet, locks: this.locks, gate, rollouts: this.rollouts, registry: this.registry, log: silentLogger, now, notifier, resendMs: 0 });
    this.resources = new ResourceService(this.store, resourceHandlers({ store: this.store, locks: this.locks, rollouts: this.rollouts, configs, remediation: this.remediation }), this.registry, silentLogger, now);
  }

  async start(): Promise<void> {
    await this.locks.init();
    await this.fleet.init();
    // Leading, with passes driven by the simulation (timers an hour away).
    this.rollouts.start(3_600_000);
    this.remediation.start(3_600_000);
  }

  /** Like kill -9 between two passes: nothing is flushed or handed over (SQLite has committed every write). */
  async kill(): Promise<void> {
    await this.rollouts.stop();
    await this.remediation.stop();
    this.store.close();
  }
}

export class SimAgent {
  version = '1';
  flow: 'idle' | 'locking' | 'rebooting' = 'idle';
  private rebootDoneAt = 0;
  /** What the current reboot is for: a remediation order's id, or a rollout's target. */
  private rebootFor: { order: string } | { target: string } | undefined;
  fault: { condition: string; cure: FaultCure; since: number } | undefined;
  cordoned = false;
  private readonly results = new Map<string, RemediationResult__Output>();
  private last: RemediationResult__Output | null = null;
  private inbox: Directive[] = [];
  connected = true;
  detach: (() => void) | undefined;

  constructor(
    readonly id: string,
    readonly pool: string,
    private readonly sim: RemediationSim,
  ) {}

  receive(d: Directive): void {
    this.inbox.push(d);
  }

  /** Directives sent but not yet acted on are lost (a coordinator crash between its write and its send). */
  loseUndelivered(): void {
    this.inbox.length = 0;
  }

  report(): NodeReport__Output {
    return {
      node_id: this.id,
      hostname: this.id,
      labels: { pool: this.pool },
      os: null,
      deployments: [{ id: this.version, osname: 'simos', checksum: `c${this.version}`, version: this.version, origin: 'simos:stable', booted: true, staged: false, pinned: false, index: 0, timestamp_unix: 0 }],
      flow_state: this.flow,
      flow_target: '',
      flow_error: '',
      resolved_target: '',
      config_hash: '',
      remediation: this.last,
      conditions: this.fault && this.flow !== 'rebooting' ? [{ type: this.fault.condition, status: true, reason: 'Sim', message: 'simulated fault', transition_unix_ms: this.fault.since }] : [],
    };
  }

  private repair(): void {
    this.sim.repairs.push({ node: this.id, ms: this.sim.now - this.fault!.since });
    this.fault = undefined;
  }

  /** Up and serving: no fault, not in a reboot, reporting. */
  get available(): boolean {
    return this.connected && !this.fault && this.flow === 'idle';
  }

  private finish(id: string, state: 'succeeded' | 'failed', message = ''): void {
    const r = { ...this.results.get(id)!, state, message, finished_unix_ms: this.sim.now };
    this.results.set(id, r);
    this.last = r;
  }

  /** Carries out what it was told and moves its reboot flow on; true when its report changed. */
  async progress(): Promise<boolean> {
    let changed = false;
    for (const d of this.inbox.splice(0)) {
      if (d.remediation) {
        const o = d.remediation;
        const id = o.id ?? '';
        const done = this.results.get(id);
        if (done) {
          // Once per id: a re-sent order is answered with the result it had.
          this.last = done;
          changed = true;
          continue;
        }
        this.sim.executed.push({ node: this.id, id, action: o.action ?? '', at: this.sim.now });
        this.results.set(id, { id, action: o.action ?? '', state: 'running', message: '', finished_unix_ms: 0 });
        this.last = this.results.get(id)!;
        changed = true;
        if (o.action === 'restart-unit') {
          if (this.fault?.cure.by === 'restart' && this.fault.cure.unit === o.unit) this.repair();
          this.finish(id, 'succeeded');
        } else if (o.action === 'cordon') {
          this.cordoned = true;
          this.finish(id, 'succeeded');
        } else if (o.action === 'reboot') {
          this.flow = 'locking';
          this.rebootFor = { order: id };
        }
      }
      const target = d.desired_target?.target;
      if (target && target !== this.version && this.flow === 'idle') {
        this.flow = 'locking';
        this.rebootFor = { target };
        changed = true;
      }
    }
    if (this.flow === 'locking' && (await this.sim.coordinator.locks.acquire(this.id, 'default', 'grpc')).granted) {
      this.flow = 'rebooting';
      this.rebootDoneAt = this.sim.now + this.sim.options.rebootMs;
      this.sim.rebootStarted(this);
      changed = true;
    }
    if (this.flow === 'rebooting' && this.sim.now >= this.rebootDoneAt) {
      const why = this.rebootFor;
      this.flow = 'idle';
      this.rebootFor = undefined;
      if (why && 'target' in why) this.version = why.target;
      if (why && 'order' in why) {
        // A reboot restarts every unit too.
        if (this.fault && this.fault.cure.by !== 'nothing') this.repair();
        this.finish(why.order, 'succeeded');
      }
      this.sim.rebootEnded(this);
      // Steady first, the slot back second (agent/reboot/flow.ts).
      await this.sim.coordinator.fleet.report(this.report());
      await this.sim.coordinator.locks.release(this.id, 'default', 'grpc');
      changed = false;
    }
    return changed;
  }
}

export class RemediationSim {
  now: number;
  coordinator!: Coordinator;
  readonly agents = new Map<string, SimAgent>();
  readonly executed: Executed[] = [];
  readonly events: NotifyEvent[] = [];
  /** Faults repaired by an order, and how long after they began. */
  readonly repairs: Array<{ node: string; ms: number }> = [];
  /** Per pool, agents rebooting now and the most at once. */
  private readonly rebooting = new Map<string, Set<string>>();
  readonly maxRebooting = new Map<string, number>();
  private readonly notifier: Notifier = { emit: (e) => void this.events.push(e) };

  constructor(readonly options: SimFleetOptions) {
    this.now = options.startAt;
    for (const [pool, ids] of Object.entries(options.pools)) for (const id of ids) this.agents.set(id, new SimAgent(id, pool, this));
  }

  static async open(options: SimFleetOptions): Promise<RemediationSim> {
    const sim = new RemediationSim(options);
    await sim.boot();
    return sim;
  }

  private async boot(): Promise<void> {
    this.coordinator = new Coordinator(this.options, () => this.now, this.notifier);
    await this.coordinator.start();
    for (const a of this.agents.values()) if (a.connected) await this.connect(a);
  }

  private async connect(a: SimAgent): Promise<void> {
    a.detach = this.coordinator.fleet.attach(a.id, (d) => a.receive(d));
    await this.coordinator.fleet.report(a.report());
  }

  /** Kills the coordinator between passes and starts a new one on the same store; the agents reconnect. */
  async restart(): Promise<void> {
    await this.coordinator.kill();
    await this.boot();
  }

  async close(): Promise<void> {
    await this.coordinator.kill();
  }

  apply(documents: unknown[]): Promise<unknown> {
    return this.coordinator.resources.applyDocuments(
      documents.map((raw, i) => ({ where: `sim: document ${i + 1}`, raw })),
      { managedBy: 'apply' },
    );
  }

  fail(node: string, condition: string, cure: FaultCure): void {
    this.agents.get(node)!.fault = { condition, cure, since: this.now };
  }

  /** Stops a node's agent (it says nothing more) or starts it again. */
  async setConnected(node: string, connected: boolean): Promise<void> {
    const a = this.agents.get(node)!;
    a.connected = connected;
    if (connected) await this.connect(a);
    else a.detach?.();
  }

  rebootStarted(a: SimAgent): void {
    const set = this.rebooting.get(a.pool) ?? new Set<string>();
    set.add(a.id);
    this.rebooting.set(a.pool, set);
    this.maxRebooting.set(a.pool, Math.max(this.maxRebooting.get(a.pool) ?? 0, set.size));
  }

  rebootEnded(a: SimAgent): void {
    this.rebooting.get(a.pool)?.delete(a.id);
  }

  /** Moves time on by `ms`, lets every agent act and report, then runs a remediation pass and a rollout tick. */
  async step(ms: number): Promise<void> {
    this.now += ms;
    // Each agent acts on what the last pass told it; directives sent during this loop wait for the next step.
    for (const a of this.agents.values()) {
      if (!a.connected) continue;
      await a.progress();
      await this.coordinator.fleet.report(a.report());
    }
    await this.coordinator.remediation.pass();
    await this.coordinator.rollouts.tick();
    await this.coordinator.remediation.pass();
  }

  /** Steps until `done` or `maxSteps`; true if done. */
  async until(done: () => boolean | Promise<boolean>, stepMs: number, maxSteps: number): Promise<boolean> {
    for (let i = 0; i < maxSteps; i++) {
      if (await done()) return true;
      await this.step(stepMs);
    }
    return done();
  }

  /** The share of nodes up and serving now. */
  availability(): number {
    return [...this.agents.values()].filter((a) => a.available).length / this.agents.size;
  }

  /** Agents with an open fault. */
  unhealthy(): string[] {
    return [...this.agents.values()].filter((a) => a.fault).map((a) => a.id);
  }
}

/** A policy document for the simulator's fleet. */
export function policyDocument(name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'hostpilot.io/v1', kind: 'RemediationPolicy', metadata: { name }, spec };
}

/** Node ids `<prefix>-000`... */
export function nodeIds(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_v, i) => `${prefix}-${String(i).padStart(3, '0')}`);
}
