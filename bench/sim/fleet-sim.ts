// Simulated hostpilot agents over real gRPC: each node registers with its
// labels, keeps a Report stream open (heartbeats at the interval the
// coordinator gives), and on a desired target runs the agent's reboot flow
// the way agent/reboot/flow.ts orders it — report "locking", Acquire until
// granted, report "rebooting", "reboot" for a while, report "idle" booted on
// the target, then Release (steady is reported before the slot goes back).
// Many nodes share a few channels, as many agents behind one NAT would share
// nothing: each channel is its own TCP connection (a distinct
// grpc.primary_user_agent keeps grpc-js from pooling them into one).
import { createHash } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { hostpilotProto } from '../../common/proto.js';
import type { Directive__Output } from '../../proto/generated/hostpilot/v1/Directive.js';
import type { FleetClient } from '../../proto/generated/hostpilot/v1/Fleet.js';
import type { LocksClient } from '../../proto/generated/hostpilot/v1/Locks.js';
import type { NodeReport } from '../../proto/generated/hostpilot/v1/NodeReport.js';
import type { SimEvent, SimEventKind } from './invariant.js';

export interface SimNodeSpec {
  id: string;
  labels: Record<string, string>;
}

export interface SimOptions {
  /** Coordinator gRPC addresses (host:port): channel i goes to addresses[i % length], a node's Report stream and lock calls on its channel. */
  addresses: string[];
  /** Which label holds the pool (for the invariant's events). */
  poolLabel: string;
  lockGroup: string;
  rebootMs: number;
  /** Between Acquire attempts that were not granted. */
  lockRetryMs: number;
  /** Nodes per gRPC channel (TCP connection). */
  nodesPerChannel: number;
  /** Register calls in flight at once while starting. */
  registerConcurrency: number;
  /** Overrides the heartbeat the coordinator asks for. */
  heartbeatMs?: number;
  initialVersion: string;
}

export interface SimStats {
  nodes: number;
  channels: number;
  reportsSent: number;
  directivesReceived: number;
  acquireCalls: number;
  /** Round-trip ms of the Acquire calls that were granted. */
  grantedAcquireMs: number[];
  /** ms from a node's first Acquire attempt to its grant. */
  waitForGrantMs: number[];
  reboots: number;
  errors: string[];
}

export interface SimProgress {
  onVersion: number;
  busy: number;
  reportsSent: number;
  directivesReceived: number;
}

export const stamp = (): number => performance.timeOrigin + performance.now();

export function checksumOf(version: string): string {
  return createHash('sha256').update(`simos:${version}`).digest('hex');
}

interface Channel {
  fleet: FleetClient;
  locks: LocksClient;
}

class SimNode {
  version: string;
  flowState = 'idle';
  flowTarget = '';
  busy = false;
  stream: grpc.ClientDuplexStream<NodeReport, Directive__Output> | undefined;
  heartbeat: NodeJS.Timeout | undefined;
  readonly pool: string;

  constructor(
    readonly spec: SimNodeSpec,
    readonly channel: Channel,
    opts: SimOptions,
  ) {
    this.version = opts.initialVersion;
    this.pool = spec.labels[opts.poolLabel] ?? '(no pool)';
  }

  report(): NodeReport {
    return {
      node_id: this.spec.id,
      hostname: this.spec.id,
      labels: this.spec.labels,
      os: { distro: 'simos', release: this.version, kernel: '6.1.0-sim', arch: 'x86_64', boot_id: `${this.spec.id}-${this.version}` },
      deployments: [{ id: `simos-${this.version}`, osname: 'simos', checksum: checksumOf(this.version), version: this.version, origin: 'simos:stable', booted: true, index: 0 }],
      flow_state: this.flowState,
      flow_target: this.flowTarget,
      flow_error: '',
      conditions: [],
    };
  }
}

export class SimFleet {
  private readonly channels: Channel[] = [];
  private readonly nodes: SimNode[] = [];
  private stopped = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  readonly stats: SimStats;

  constructor(
    specs: readonly SimNodeSpec[],
    private readonly opts: SimOptions,
    /** Called for every lock/reboot transition, for the invariant. */
    private readonly onEvent: (e: SimEvent) => void,
  ) {
    const proto = hostpilotProto().hostpilot.v1;
    const creds = grpc.credentials.createInsecure();
    const per = Math.max(1, opts.nodesPerChannel);
    for (let i = 0; i < specs.length; i += per) {
      const options = { 'grpc.primary_user_agent': `hostpilot-fleetsim/${process.pid}/${i / per}`, 'grpc.max_receive_message_length': 64 * 1024 * 1024 };
      const address = opts.addresses[(i / per) % opts.addresses.length]!;
      this.channels.push({ fleet: new proto.Fleet(address, creds, options), locks: new proto.Locks(address, creds, options) });
    }
    specs.forEach((spec, i) => this.nodes.push(new SimNode(spec, this.channels[Math.floor(i / per)]!, opts)));
    this.stats = { nodes: specs.length, channels: this.channels.length, reportsSent: 0, directivesReceived: 0, acquireCalls: 0, grantedAcquireMs: [], waitForGrantMs: [], reboots: 0, errors: [] };
  }

  /** Registers every node and opens its Report stream; resolves once each stream is accepted. */
  async start(): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < this.nodes.length && !this.stopped) {
        const node = this.nodes[next++]!;
        await this.connect(node);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.opts.registerConcurrency) }, worker));
  }

  /** Nodes running `version` now, and nodes in the middle of a flow. */
  progress(version: string): SimProgress {
    let onVersion = 0;
    let busy = 0;
    for (const n of this.nodes) {
      if (n.version === version) onVersion++;
      if (n.busy) busy++;
    }
    return { onVersion, busy, reportsSent: this.stats.reportsSent, directivesReceived: this.stats.directivesReceived };
  }

  stop(): SimStats {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    for (const n of this.nodes) {
      clearInterval(n.heartbeat);
      const s = n.stream;
      n.stream = undefined;
      if (s) {
        s.removeAllListeners();
        s.on('error', () => undefined);
        s.cancel();
      }
    }
    for (const c of this.channels) {
      c.fleet.close();
      c.locks.close();
    }
    return this.stats;
  }

  private error(message: string): void {
    if (this.stats.errors.length < 50) this.stats.errors.push(message);
  }

  private async connect(node: SimNode): Promise<void> {
    const reg = await new Promise<{ heartbeat_interval_ms: number }>((resolve, reject) => {
      node.channel.fleet.Register(
        { node_id: node.spec.id, hostname: node.spec.id, labels: node.spec.labels, os: node.report().os, agent_version: 'fleetsim' },
        { deadline: new Date(Date.now() + 60_000) },
        (err, reply) => (err ? reject(err) : resolve(reply!)),
      );
    });
    const heartbeatMs = this.opts.heartbeatMs ?? (reg.heartbeat_interval_ms || 10_000);
    await new Promise<void>((resolve, reject) => {
      const stream = node.channel.fleet.Report();
      node.stream = stream;
      let accepted = false;
      stream.on('data', (d: Directive__Output) => {
        this.stats.directivesReceived++;
        if (d.accepted && !accepted) {
          accepted = true;
          resolve();
        }
        if (d.desired_target) this.onTarget(node, d.desired_target.target);
      });
      stream.on('error', (err: Error) => {
        if (this.stopped) return;
        this.error(`${node.spec.id}: report stream: ${err.message}`);
        if (!accepted) reject(err);
      });
      stream.on('end', () => {
        if (!this.stopped) this.error(`${node.spec.id}: the coordinator ended the report stream`);
      });
      this.send(node);
      // Heartbeats start at a random phase so a fleet does not report in lockstep.
      const first = setTimeout(() => {
        this.timers.delete(first);
        node.heartbeat = setInterval(() => this.send(node), heartbeatMs);
        this.send(node);
      }, Math.random() * heartbeatMs);
      this.timers.add(first);
    });
  }

  private send(node: SimNode): void {
    if (this.stopped || !node.stream) return;
    node.stream.write(node.report());
    this.stats.reportsSent++;
  }

  private emit(node: SimNode, kind: SimEventKind): void {
    this.onEvent({ t: stamp(), node: node.spec.id, pool: node.pool, kind });
  }

  private onTarget(node: SimNode, target: string): void {
    if (target === '' || target === node.version || node.busy) return;
    node.busy = true;
    this.flow(node, target).then(
      () => (node.busy = false),
      (err: unknown) => {
        node.busy = false;
        this.error(`${node.spec.id}: flow to ${target}: ${err instanceof Error ? err.message : String(err)}`);
      },
    );
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  private lockCall(node: SimNode, method: 'Acquire' | 'Release'): Promise<{ granted: boolean }> {
    return new Promise((resolve, reject) => {
      node.channel.locks[method]({ node_id: node.spec.id, group: this.opts.lockGroup }, { deadline: new Date(Date.now() + 30_000) }, (err, reply) => (err ? reject(err) : resolve(reply!)));
    });
  }

  private async flow(node: SimNode, target: string): Promise<void> {
    node.flowState = 'locking';
    node.flowTarget = target;
    this.send(node);
    const firstTry = performance.now();
    for (;;) {
      if (this.stopped) return;
      const t0 = performance.now();
      this.stats.acquireCalls++;
      const reply = await this.lockCall(node, 'Acquire');
      if (reply.granted) {
        const t1 = performance.now();
        this.emit(node, 'hold');
        this.stats.grantedAcquireMs.push(t1 - t0);
        this.stats.waitForGrantMs.push(t1 - firstTry);
        break;
      }
      await this.sleep(this.opts.lockRetryMs);
    }
    node.flowState = 'rebooting';
    this.send(node);
    this.emit(node, 'down');
    this.stats.reboots++;
    await this.sleep(this.opts.rebootMs);
    if (this.stopped) return;
    node.version = target;
    this.emit(node, 'up');
    node.flowState = 'idle';
    node.flowTarget = '';
    this.send(node);
    this.emit(node, 'unhold');
    await this.lockCall(node, 'Release');
  }
}
