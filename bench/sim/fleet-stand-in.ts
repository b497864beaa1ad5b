// The Fleet service of a stand-in coordinator (bench:idle-fleet's floor server,
// the agent tests' FakeFleet): Register answers a heartbeat interval, a Report
// stream is accepted on its first message and every message is handed to
// `onReport`, and the operator's calls answer UNIMPLEMENTED.
import * as grpc from '@grpc/grpc-js';

export interface StandInOptions<T> {
  heartbeatMs: number;
  /** Who the stand-in is, in its UNIMPLEMENTED answers. */
  name: string;
  /** Each message of a Report stream (the stream itself too, for a stand-in that writes to it). */
  onReport?: (message: T, call: grpc.ServerDuplexStream<T, unknown>) => void;
}

export function standInFleetHandlers<T>(o: StandInOptions<T>): grpc.UntypedServiceImplementation {
  const unimplemented = (_call: unknown, cb: grpc.sendUnaryData<never>) => cb({ code: grpc.status.UNIMPLEMENTED, details: `not in the ${o.name}` });
  return {
    Register: (_call: unknown, cb: grpc.sendUnaryData<{ heartbeat_interval_ms: number }>) => cb(null, { heartbeat_interval_ms: o.heartbeatMs }),
    Report: (call: grpc.ServerDuplexStream<T, unknown>) => {
      let first = true;
      call.on('data', (message: T) => {
        o.onReport?.(message, call);
        if (first) call.write({ accepted: true });
        first = false;
      });
      call.on('error', () => undefined);
      call.on('end', () => call.end());
    },
    ListNodes: unimplemented,
    ResetNode: unimplemented,
    RemoveNode: unimplemented,
    ExcludeNode: unimplemented,
    IncludeNode: unimplemented,
    ListPools: unimplemented,
  };
}
