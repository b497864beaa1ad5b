// Process metrics (CPU, memory, event loop, GC) under the program's prefix.
import { collectDefaultMetrics, type Registry } from 'prom-client';

// prom-client exports these gauges with a "_total" suffix, which Prometheus
// reserves for counters (`promtool check metrics` rejects them). The same
// facts remain without the suffix in *_active_handles / *_active_requests.
const LINT_FAILURES = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export function registerProcessMetrics(registry: Registry, prefix: string): void {
  collectDefaultMetrics({ register: registry, prefix });
  for (const name of LINT_FAILURES) registry.removeSingleMetric(prefix + name);
}
