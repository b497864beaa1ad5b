// Acquire latency as a lock client sees it: Acquire then Release of one slot
// by one node, one after the other (bench:report-flood, bench:idle-fleet).
import * as grpc from '@grpc/grpc-js';
import type { LocksClient } from '../../proto/generated/hostpilot/v1/Locks.js';

/** An Acquire not answered within this counts as this long. */
export const DEADLINE_MS = 5000;

function call<T>(fn: (cb: (err: grpc.ServiceError | null, reply?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, reply) => (err ? reject(err) : resolve(reply!))));
}

/** `n` Acquire round trips in ms (a deadline miss counts DEADLINE_MS), and how many missed. */
export async function sampleAcquire(locks: LocksClient, n: number, nodeId = 'probe', group = 'default'): Promise<{ ms: number[]; misses: number }> {
  const ms: number[] = [];
  let misses = 0;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    try {
      const reply = await call<{ granted: boolean }>((cb) => locks.Acquire({ node_id: nodeId, group }, { deadline: new Date(Date.now() + DEADLINE_MS) }, cb));
      if (!reply.granted) throw new Error(`${nodeId} was not granted its slot of ${group}`);
      ms.push(performance.now() - t0);
    } catch (err) {
      if ((err as grpc.ServiceError).code !== grpc.status.DEADLINE_EXCEEDED) throw err;
      misses++;
      ms.push(DEADLINE_MS);
    }
    await call((cb) => locks.Release({ node_id: nodeId, group }, { deadline: new Date(Date.now() + 60_000) }, cb));
  }
  return { ms, misses };
}
