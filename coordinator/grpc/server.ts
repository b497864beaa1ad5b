import * as grpc from '@grpc/grpc-js';
import { UnavailableError } from '../../common/errors.js';
import { formatHostPort, type HostPort } from '../../common/address.js';
import { hostpilotProto } from '../../common/proto.js';
import type { TlsMaterial } from '../../common/tls.js';
import { fleetService, type FleetServerHandlers } from './fleet-service.js';
import type { LocksHandlers } from '../../proto/generated/hostpilot/v1/Locks.js';

export interface GrpcServerOptions {
  listen: HostPort;
  /** With a CA, client certificates are required and verified against it. */
  tls?: TlsMaterial;
  locks: LocksHandlers;
  fleet: FleetServerHandlers;
  /** Further services (rollouts), added by their own modules. */
  extra?: (server: grpc.Server) => void;
}

export interface RunningGrpcServer {
  port: number;
  close(): Promise<void>;
}

export function serverCredentials(tls: TlsMaterial | undefined): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure();
  return grpc.ServerCredentials.createSsl(tls.ca ?? null, [{ cert_chain: tls.cert, private_key: tls.key }], tls.ca !== undefined);
}

/** The coordinator's gRPC server options (bench:idle-fleet's floor server uses them too). */
export const GRPC_SERVER_OPTIONS: grpc.ServerOptions = {
  // Agents keep a Report stream open for days; keepalives find dead peers.
  'grpc.keepalive_time_ms': 60_000,
  'grpc.keepalive_timeout_ms': 20_000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.http2.min_ping_interval_without_data_ms': 10_000,
  // Channelz (per-call and per-message statistics for grpc's own debug service, which is not served here)
  // cost a tracker update on every heartbeat of every node.
  'grpc.enable_channelz': 0,
};

export async function startGrpcServer(options: GrpcServerOptions): Promise<RunningGrpcServer> {
  const proto = hostpilotProto();
  const server = new grpc.Server(GRPC_SERVER_OPTIONS);
  server.addService(proto.hostpilot.v1.Locks.service, options.locks);
  server.addService(fleetService(), options.fleet);
  options.extra?.(server);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(formatHostPort(options.listen), serverCredentials(options.tls), (err, boundPort) =>
      err ? reject(new UnavailableError(`--grpc-listen ${formatHostPort(options.listen)}: ${err.message}`)) : resolve(boundPort),
    );
  });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        // Streams stay open for as long as agents live: give calls a moment, then cut them.
        const force = setTimeout(() => server.forceShutdown(), 2_000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}
