// Issue 15's starvation, reproduced without timing anything: nodes stream
// changing reports as fast as gRPC takes them, and an Acquire issued during
// the flood must be answered before more than a bounded number of report
// writes were committed. Before the fix every report was its own synchronous
// commit ahead of the lock call (hundreds to thousands of them per Acquire);
// now a node's reports are applied within its rate, one write in flight per
// node, and report writes yield to lock writes.
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { hostpilotProto } from '../../common/proto.js';
import { DEFAULT_REPORT_RATE } from '../../coordinator/fleet/report-throttle.js';
import type { UpdateOutcome, WriteOptions } from '../../coordinator/store/store.js';
import { forkReportFlood } from '../../bench/sim/report-flood.js';
import { withCoordinator } from '../support/coordinator.js';
import { ROOT } from '../support/programs.js';
import { waitFor } from '../support/tmp.js';

const STREAMS = 8;

describe('a report flood', () => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('does not hold an Acquire behind the flooding nodes\' report writes', async () => {
    const c = await withCoordinator({ groups: new Map([['default', 1]]) });
    cleanups.push(() => c.cleanup());
    // Count the node-record writes as they commit.
    let reportWrites = 0;
    const update = c.store.update.bind(c.store);
    c.store.update = async <T, R>(key: string, fn: (current: T | undefined) => UpdateOutcome<T, R>, options?: WriteOptions) => {
      const result = await update<T, R>(key, fn, options);
      if (key.startsWith('nodes/')) reportWrites++;
      return result;
    };
    const address = `127.0.0.1:${c.grpcPort}`;
    // From another process (dist/), as from other machines.
    const flood = await forkReportFlood(address, STREAMS, 'flood', `${ROOT}dist/bench/sim/flood-worker.js`);
    cleanups.push(() => flood.stop());
    // The flood is on: every flooding node has been written, and more.
    await waitFor(() => reportWrites >= STREAMS * 4 && c.fleet.list().filter((n) => n.connected).length === STREAMS, 'the flood to reach the store', 60_000);

    const locks = new (hostpilotProto().hostpilot.v1.Locks)(address, grpc.credentials.createInsecure());
    cleanups.push(() => locks.close());
    const before = reportWrites;
    const reply = await new Promise<{ granted: boolean }>((resolve, reject) =>
      locks.Acquire({ node_id: 'probe', group: 'default' }, { deadline: new Date(Date.now() + 120_000) }, (err, r) => (err ? reject(err) : resolve(r!))),
    );
    const during = reportWrites - before;
    expect(reply.granted).toBe(true);
    // At most a burst per flooding node was written while the Acquire was out, not the backlog.
    expect(during).toBeLessThanOrEqual(STREAMS * DEFAULT_REPORT_RATE.burst);
    // The flooding nodes' reports were held back (past their rate, or replaced by newer ones) and counted; the nodes stay connected.
    const text = await c.registry.metrics();
    const count = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
    expect(count('hostpilot_report_throttled_total') + count('hostpilot_report_coalesced_total')).toBeGreaterThan(0);
    expect(c.fleet.list().filter((n) => n.nodeId.startsWith('flood-') && n.connected)).toHaveLength(STREAMS);
  });
});
