// A forked report flooder (bench:report-flood): floods until its parent says
// stop, then answers how many reports it wrote. Out of the parent's process,
// so the parent's Acquire timings are not queued behind the flooder's own work.
import { startReportFlood } from './report-flood.js';

const [address, streams, prefix] = process.argv.slice(2);
const flood = startReportFlood(address!, Number(streams), prefix);
process.on('message', (msg: { type: string }) => {
  if (msg.type === 'stop') process.send?.({ type: 'stopped', sent: flood.stop() }, () => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
process.send?.({ type: 'started' });
