// hostpilotctl's gRPC stubs, promisified, with a deadline on every call.
import * as grpc from '@grpc/grpc-js';
import { formatHostPort, parseHostPort } from '../common/address.js';
import { fromServiceError } from '../common/api/grpc-errors.js';
import { InvalidArgumentError, type HostpilotError } from '../common/errors.js';
import { hostpilotProto } from '../common/proto.js';
import { clientCredentials, type TlsMaterial } from '../common/tls.js';
import type { FleetClient } from '../proto/generated/hostpilot/v1/Fleet.js';
import type { LocksClient } from '../proto/generated/hostpilot/v1/Locks.js';
import type { RolloutsClient } from '../proto/generated/hostpilot/v1/Rollouts.js';
import type { ResourcesClient } from '../proto/generated/hostpilot/v1/Resources.js';
import type { ConfigsClient } from '../proto/generated/hostpilot/v1/Configs.js';
import type { RemediationClient } from '../proto/generated/hostpilot/v1/Remediation.js';
import { probeHttpPort } from './probe.js';

/** A gRPC error as a one-line domain error for the operator. */
export function fromGrpcError(err: grpc.ServiceError, address: string): HostpilotError {
  return fromServiceError(err, `coordinator ${address} unreachable`);
}

export class CtlClient {
  readonly locks: LocksClient;
  readonly fleet: FleetClient;
  readonly rollouts: RolloutsClient;
  readonly resources: ResourcesClient;
  readonly configs: ConfigsClient;
  readonly remediation: RemediationClient;

  constructor(
    readonly address: string,
    private readonly tls: TlsMaterial | undefined,
    private readonly timeoutMs: number,
    /** Where the address came from (a flag, a variable, a config file's key), for errors. */
    private readonly addressSource = '--coordinator',
  ) {
    const proto = hostpilotProto();
    const creds = clientCredentials(tls);
    this.locks = new proto.hostpilot.v1.Locks(address, creds);
    this.fleet = new proto.hostpilot.v1.Fleet(address, creds);
    this.rollouts = new proto.hostpilot.v1.Rollouts(address, creds);
    this.resources = new proto.hostpilot.v1.Resources(address, creds);
    this.configs = new proto.hostpilot.v1.Configs(address, creds);
    this.remediation = new proto.hostpilot.v1.Remediation(address, creds);
  }

  /** Calls `fn(callback, options)` and turns its callback into a promise. */
  call<T>(fn: (options: grpc.CallOptions, cb: (err: grpc.ServiceError | null, value?: T) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      fn({ deadline: new Date(Date.now() + this.timeoutMs) }, (err, value) => (err ? reject(err) : resolve(value!)));
    }).catch(async (err: grpc.ServiceError) => {
      throw (err.code === grpc.status.UNAVAILABLE && (await this.httpPortError())) || fromGrpcError(err, this.address);
    });
  }

  /** The usual slip: --coordinator names the HTTP port (FleetLock, /metrics) instead of gRPC. */
  private async httpPortError(): Promise<HostpilotError | undefined> {
    const target = parseHostPort(this.address, this.addressSource);
    const hint = await probeHttpPort(target, this.tls);
    if (!hint) return undefined;
    const where = hint.grpcPort !== undefined ? `${formatHostPort({ host: target.host, port: hint.grpcPort })}` : 'another port (7070 by default)';
    return new InvalidArgumentError(this.addressSource, `${this.address}: this looks like the HTTP port; gRPC listens on ${where}`);
  }

  close(): void {
    this.locks.close();
    this.fleet.close();
    this.rollouts.close();
    this.resources.close();
    this.configs.close();
    this.remediation.close();
  }
}
