// A stand-in for the coordinator's Fleet service, for agent tests that must
// say something the real coordinator only says in a given state (a directive):
// it accepts Register, keeps the agent's Report stream, records every report,
// and sends the directives a test hands it. Lock calls are not served.
import * as grpc from '@grpc/grpc-js';
import { hostpilotProto } from '../../common/proto.js';
import { standInFleetHandlers } from '../../bench/sim/fleet-stand-in.js';
import type { Directive } from '../../proto/generated/hostpilot/v1/Directive.js';
import type { NodeReport__Output } from '../../proto/generated/hostpilot/v1/NodeReport.js';

export class FakeFleet {
  readonly reports: NodeReport__Output[] = [];
  private stream: grpc.ServerDuplexStream<NodeReport__Output, Directive> | undefined;
  private constructor(
    private readonly server: grpc.Server,
    readonly address: string,
  ) {}

  static async start(heartbeatMs = 200): Promise<FakeFleet> {
    const server = new grpc.Server();
    let fleet: FakeFleet | undefined;
    server.addService(
      hostpilotProto().hostpilot.v1.Fleet.service,
      standInFleetHandlers<NodeReport__Output>({
        heartbeatMs,
        name: 'fake fleet',
        onReport: (r, call) => {
          fleet!.stream = call as grpc.ServerDuplexStream<NodeReport__Output, Directive>;
          fleet!.reports.push(r);
        },
      }),
    );
    const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
    fleet = new FakeFleet(server, `127.0.0.1:${port}`);
    return fleet;
  }

  get connected(): boolean {
    return this.stream !== undefined && !this.stream.cancelled && !this.stream.destroyed;
  }

  send(directive: Directive): void {
    if (!this.stream) throw new Error('no agent stream');
    this.stream.write(directive);
  }

  /** Ends the agent's stream (a coordinator going away); the agent reconnects. */
  drop(): void {
    const s = this.stream;
    this.stream = undefined;
    s?.end();
  }

  last(): NodeReport__Output | undefined {
    return this.reports.at(-1);
  }

  close(): void {
    this.server.forceShutdown();
  }
}
