// The floor for bench:idle-fleet (child_process.fork of dist/bench/sim/floor-server.js):
// a gRPC server with hostpilot's Locks and Fleet services, the same server
// options as the coordinator's, that does nothing. Acquire grants at once
// without a store, Register answers the default heartbeat interval, a Report
// stream is accepted and its messages are dropped. What the coordinator costs
// beyond this is hostpilot's; this much is grpc-js, Node's HTTP/2 and the
// machine. Sends its port to the parent over IPC.
import * as grpc from '@grpc/grpc-js';
import { hostpilotProto } from '../../common/proto.js';
import { fleetService } from '../../coordinator/grpc/fleet-service.js';
import { GRPC_SERVER_OPTIONS } from '../../coordinator/grpc/server.js';
import { standInFleetHandlers } from './fleet-stand-in.js';

const unimplemented = (_call: unknown, cb: grpc.sendUnaryData<never>) => cb({ code: grpc.status.UNIMPLEMENTED, details: 'not in the floor server' });
const granted = (_call: unknown, cb: grpc.sendUnaryData<{ granted: boolean }>) => cb(null, { granted: true });
const heartbeatMs = Number(process.argv[2] ?? 10_000);

const server = new grpc.Server(GRPC_SERVER_OPTIONS);
server.addService(hostpilotProto().hostpilot.v1.Locks.service, { Acquire: granted, Release: granted, List: unimplemented, ForceRelease: unimplemented });
server.addService(fleetService(), standInFleetHandlers({ heartbeatMs, name: 'floor server' }));
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) {
    process.stderr.write(`floor server: ${err.message}\n`);
    process.exit(1);
  }
  process.send?.({ port });
});
process.on('disconnect', () => process.exit(0));
