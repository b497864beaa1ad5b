// Report streams that send changing NodeReports as fast as the connection
// takes them (issue 15's adversary): each stream its own TCP connection and
// node, each report with a new flow_error so every one is a "significant"
// change the coordinator would write. bench:report-flood and the starvation
// test run it in a forked process (flood-worker.ts), so the flood comes as
// fast as another process can send it, as from other machines.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { hostpilotProto } from '../../common/proto.js';
import type { NodeReport } from '../../proto/generated/hostpilot/v1/NodeReport.js';

export interface ReportFlood {
  /** Reports written so far. */
  sent(): number;
  /** Stops every stream; resolves with the reports written. */
  stop(): number;
}

export function floodReport(nodeId: string, n: number): NodeReport {
  return {
    node_id: nodeId,
    hostname: nodeId,
    labels: { pool: 'flood' },
    deployments: [{ id: 'simos-1', osname: 'simos', checksum: 'c1', version: '1', origin: 'simos:stable', booted: true, index: 0 }],
    flow_state: 'idle',
    flow_target: '',
    flow_error: `flood ${n}`,
    conditions: [],
  };
}

export function startReportFlood(address: string, streams: number, prefix = 'flood'): ReportFlood {
  const proto = hostpilotProto().hostpilot.v1;
  let sent = 0;
  let stopped = false;
  const clients = Array.from({ length: streams }, (_, i) => new proto.Fleet(address, grpc.credentials.createInsecure(), { 'grpc.primary_user_agent': `hostpilot-flood/${process.pid}/${i}` }));
  const calls = clients.map((client, i) => {
    const nodeId = `${prefix}-${i}`;
    const call = client.Report();
    call.on('data', () => undefined);
    call.on('error', () => undefined);
    let n = 0;
    // Write until the stream's buffer is full, then again once it drains: as fast as flow control allows.
    const pump = () => {
      while (!stopped) {
        sent++;
        if (!call.write(floodReport(nodeId, n++))) {
          call.once('drain', pump);
          return;
        }
      }
    };
    setImmediate(pump);
    return call;
  });
  return {
    sent: () => sent,
    stop: () => {
      stopped = true;
      for (const c of calls) c.cancel();
      for (const c of clients) c.close();
      return sent;
    },
  };
}

export interface ForkedFlood {
  /** Stops the flood; resolves with the reports written. */
  stop(): Promise<number>;
}

/**
 * The flood in a child process, node ids `${prefix}-0` ...; `worker` is the
 * built flood-worker.js (from source, as tests run, pass dist's).
 */
export async function forkReportFlood(address: string, streams: number, prefix = 'flood', worker = fileURLToPath(new URL('./flood-worker.js', import.meta.url))): Promise<ForkedFlood> {
  const child = fork(worker, [address, String(streams), prefix]);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`the flooder exited (${code}) before it started`)));
  });
  let stopping: Promise<number> | undefined;
  return {
    stop: () =>
      (stopping ??= new Promise<number>((resolve) => {
        child.once('message', (msg: { sent: number }) => resolve(msg.sent));
        child.once('exit', () => resolve(NaN));
        child.send({ type: 'stop' });
      }).then(async (sent) => {
        await exited;
        return sent;
      })),
  };
}
