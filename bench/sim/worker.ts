// A simulator worker process (child_process.fork of dist/bench/sim/worker.js):
// runs a SimFleet for the nodes its parent gives it and streams the lock and
// reboot events back over IPC in small batches.
import { SimFleet } from './fleet-sim.js';
import type { SimEvent } from './invariant.js';
import type { ToParent, ToWorker } from './worker-host.js';

let fleet: SimFleet | undefined;
let batch: SimEvent[] = [];
let flusher: NodeJS.Timeout | undefined;

const send = (msg: ToParent) => process.send?.(msg);
const flush = () => {
  if (batch.length === 0) return;
  send({ type: 'events', events: batch });
  batch = [];
};

process.on('message', (msg: ToWorker) => {
  switch (msg.type) {
    case 'start':
      fleet = new SimFleet(msg.nodes, msg.options, (e) => batch.push(e));
      flusher = setInterval(() => {
        flush();
        send({ type: 'progress', ...fleet!.progress(msg.targetVersion) });
      }, 100);
      fleet.start().then(
        () => send({ type: 'ready' }),
        (err: unknown) => send({ type: 'failed', message: err instanceof Error ? err.message : String(err) }),
      );
      break;
    case 'stop': {
      clearInterval(flusher);
      flush();
      const stats = fleet?.stop();
      // Exit once the figures are out: closed channels may keep grpc-js timers alive a while.
      if (stats) process.send?.({ type: 'stats', stats } satisfies ToParent, () => process.exit(0));
      else process.exit(0);
      break;
    }
  }
});
// The parent went away: nothing is listening, stop.
process.on('disconnect', () => process.exit(0));
