// The node-metrics collector alone (interval collection off the scrape path) behind a
// minimal /metrics HTTP server, nothing else: bench:footprint runs it beside the whole
// agent, to split the agent's cost into the collector's and the rest's.
//   node dist/bench/footprint-collector.js PORT [INTERVAL_MS]
import { createServer } from 'node:http';
import { Registry } from 'prom-client';
import { NodeMetricsCollector, SystemNodeStatsSource, detectHostPaths } from '../agent/metrics/node-metrics.js';
import { silentLogger } from '../common/log.js';

const port = Number(process.argv[2]);
const intervalMs = Number(process.argv[3] ?? '15000');
if (!Number.isInteger(port) || port <= 0 || !(intervalMs > 0)) {
  process.stderr.write('usage: footprint-collector PORT [INTERVAL_MS]\n');
  process.exit(2);
}
const registry = new Registry();
const collector = new NodeMetricsCollector({ registry, source: new SystemNodeStatsSource(await detectHostPaths()), intervalMs, logger: silentLogger });
await collector.start();
const server = createServer((req, res) => {
  if (req.url !== '/metrics') {
    res.writeHead(404).end();
    return;
  }
  registry.metrics().then(
    (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
    () => res.writeHead(500).end(),
  );
});
server.listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => {
  void collector.stop().then(() => server.close(() => process.exit(0)));
});
