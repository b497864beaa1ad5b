// The agent's link to the coordinator: Register, then a Report stream kept
// open for the agent's whole life, with heartbeats, reconnecting with
// jittered exponential backoff. It says once that the coordinator went away
// and once that it is back, not on every attempt. Lock calls for the reboot
// flow go over the same channel.
import * as grpc from '@grpc/grpc-js';
import { Gauge, type Registry } from 'prom-client';
import { fromServiceError } from '../../common/api/grpc-errors.js';
import type { Logger } from '../../common/log.js';
import { hostpilotProto } from '../../common/proto.js';
import { clientCredentials, type TlsMaterial } from '../../common/tls.js';
import type { Directive__Output } from '../../proto/generated/hostpilot/v1/Directive.js';
import type { FleetClient } from '../../proto/generated/hostpilot/v1/Fleet.js';
import type { LockReply__Output } from '../../proto/generated/hostpilot/v1/LockReply.js';
import type { LocksClient } from '../../proto/generated/hostpilot/v1/Locks.js';
import type { NodeReport } from '../../proto/generated/hostpilot/v1/NodeReport.js';
import type { RegisterRequest } from '../../proto/generated/hostpilot/v1/RegisterRequest.js';
import { Backoff } from './backoff.js';

export interface CoordinatorClientOptions {
  address: string;
  tls?: TlsMaterial;
  nodeId: string;
  /** What to say at Register. */
  registration: () => Promise<RegisterRequest>;
  /** The node's current state, sent on connect, on change and as heartbeat. */
  report: () => Promise<NodeReport>;
  onDirective: (directive: Directive__Output) => void;
  log: Logger;
  registry: Registry;
  /** Default: what the coordinator says at Register. */
  heartbeatMs?: number;
  backoff?: Backoff;
  callTimeoutMs?: number;
}

export class CoordinatorClient {
  private readonly fleet: FleetClient;
  private readonly locks: LocksClient;
  private readonly gauge: Gauge;
  private readonly backoff: Backoff;
  private stream: grpc.ClientDuplexStream<NodeReport, Directive__Output> | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;
  private wasConnected = false;
  private everConnected = false;
  private connectedNow = false;
  private lastError = '';

  constructor(private readonly options: CoordinatorClientOptions) {
    const proto = hostpilotProto();
    const creds = clientCredentials(options.tls);
    const channelOptions = { 'grpc.keepalive_time_ms': 30_000, 'grpc.keepalive_timeout_ms': 10_000, 'grpc.keepalive_permit_without_calls': 1 };
    this.fleet = new proto.hostpilot.v1.Fleet(options.address, creds, channelOptions);
    // Same target, options and credentials: grpc-js shares one connection between the two stubs.
    this.locks = new proto.hostpilot.v1.Locks(options.address, creds, channelOptions);
    this.gauge = new Gauge({
      name: 'hostpilot_agent_coordinator_connected',
      help: '1 while the Report stream to the coordinator is open.',
      registers: [options.registry],
    });
    this.gauge.set(0);
    this.backoff = options.backoff ?? new Backoff({ initialMs: 500, maxMs: 30_000 });
  }

  get connected(): boolean {
    return this.connectedNow;
  }

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    this.closeStream();
    this.fleet.close();
    this.locks.close();
  }

  /** Sends the current report now (a state change); no-op while disconnected. */
  async reportNow(): Promise<void> {
    const stream = this.stream;
    if (!stream || !this.connectedNow) return;
    stream.write(await this.options.report());
  }

  acquire(group: string): Promise<LockReply__Output> {
    return this.lockCall('Acquire', group);
  }

  release(group: string): Promise<LockReply__Output> {
    return this.lockCall('Release', group);
  }

  private lockCall(method: 'Acquire' | 'Release', group: string): Promise<LockReply__Output> {
    const deadline = new Date(Date.now() + (this.options.callTimeoutMs ?? 15_000));
    return new Promise((resolve, reject) => {
      this.locks[method]({ node_id: this.options.nodeId, group }, { deadline }, (err, reply) => {
        if (err) reject(fromServiceError(err, `coordinator ${method}`));
        else resolve(reply!);
      });
    });
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    try {
      const registration = await this.options.registration();
      const deadline = new Date(Date.now() + (this.options.callTimeoutMs ?? 15_000));
      const reply = await new Promise<{ heartbeat_interval_ms: number }>((resolve, reject) => {
        this.fleet.Register(registration, { deadline }, (err, r) => (err ? reject(err) : resolve(r!)));
      });
      if (this.stopped) return;
      this.openStream(this.options.heartbeatMs ?? (reply.heartbeat_interval_ms || 10_000));
    } catch (err) {
      this.onDisconnect(err);
    }
  }

  private openStream(heartbeatMs: number): void {
    const stream = this.fleet.Report();
    this.stream = stream;
    stream.on('data', (directive: Directive__Output) => {
      if (directive.accepted && !this.connectedNow) this.onConnected();
      if (directive.desired_target || directive.reset || directive.desired_config || directive.remediation) this.options.onDirective(directive);
    });
    stream.on('error', (err) => {
      if (this.stream === stream) this.onDisconnect(err);
    });
    stream.on('end', () => {
      if (this.stream === stream) this.onDisconnect(new Error('coordinator closed the stream'));
    });
    // The first report is sent before `accepted` arrives, so send it regardless of connectedNow.
    void this.options.report().then((r) => stream.write(r)).catch((err: unknown) => this.onDisconnect(err));
    this.heartbeat = setInterval(() => void this.reportNow().catch(() => undefined), heartbeatMs);
  }

  private onConnected(): void {
    this.connectedNow = true;
    this.gauge.set(1);
    this.backoff.reset();
    this.lastError = '';
    if (!this.everConnected) this.options.log.info('connected to coordinator', { coordinator: this.options.address });
    else if (!this.wasConnected) this.options.log.info('reconnected to coordinator', { coordinator: this.options.address });
    this.everConnected = true;
    this.wasConnected = true;
  }

  private onDisconnect(err: unknown): void {
    this.closeStream();
    if (this.stopped) return;
    const message = err instanceof Error ? err.message : String(err);
    if (this.wasConnected || (!this.everConnected && this.lastError === '')) {
      // Once per outage, not per attempt.
      this.options.log.warn('coordinator unreachable; retrying with backoff', { coordinator: this.options.address, error: message });
    } else if (message !== this.lastError) {
      this.options.log.debug('coordinator still unreachable', { error: message });
    }
    this.lastError = message;
    this.wasConnected = false;
    const delay = this.backoff.next();
    this.retry = setTimeout(() => void this.connect(), delay);
  }

  private closeStream(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    this.connectedNow = false;
    this.gauge.set(0);
    const stream = this.stream;
    this.stream = undefined;
    if (stream) {
      stream.removeAllListeners('data');
      stream.on('error', () => undefined);
      stream.cancel();
    }
  }
}
