// hostpilotctl's gRPC stubs, promisified, with a deadline on every call.
import * as grpc from '@grpc/grpc-js';
import { fromServiceError } from '../common/api/grpc-errors.js';
import type { HostpilotError } from '../common/errors.js';
import { hostpilotProto } from '../common/proto.js';
import { clientCredentials, type TlsMaterial } from '../common/tls.js';
import type { FleetClient } from '../proto/generated/hostpilot/v1/Fleet.js';
import type { LocksClient } from '../proto/generated/hostpilot/v1/Locks.js';
import type { RolloutsClient } from '../proto/generated/hostpilot/v1/Rollouts.js';
import type { ResourcesClient } from '../proto/generated/hostpilot/v1/Resources.js';

/** A gRPC error as a one-line domain error for the operator. */
export function fromGrpcError(err: grpc.ServiceError, address: string): HostpilotError {
  return fromServiceError(err, `coordinator ${address} unreachable`);
}

export class CtlClient {
  readonly locks: LocksClient;
  readonly fleet: FleetClient;
  readonly rollouts: RolloutsClient;
  readonly resources: ResourcesClient;

  constructor(
    readonly address: string,
    tls: TlsMaterial | undefined,
    private readonly timeoutMs: number,
  ) {
    const proto = hostpilotProto();
    const creds = clientCredentials(tls);
    this.locks = new proto.hostpilot.v1.Locks(address, creds);
    this.fleet = new proto.hostpilot.v1.Fleet(address, creds);
    this.rollouts = new proto.hostpilot.v1.Rollouts(address, creds);
    this.resources = new proto.hostpilot.v1.Resources(address, creds);
  }

  /** Calls `fn(callback, options)` and turns its callback into a promise. */
  call<T>(fn: (options: grpc.CallOptions, cb: (err: grpc.ServiceError | null, value?: T) => void) => void): Promise<T> {
    return new Promise((resolve, reject) => {
      fn({ deadline: new Date(Date.now() + this.timeoutMs) }, (err, value) => (err ? reject(fromGrpcError(err, this.address)) : resolve(value!)));
    });
  }

  close(): void {
    this.locks.close();
    this.fleet.close();
    this.rollouts.close();
    this.resources.close();
  }
}
