// Problem-detection metrics, on the injected registry.
import { Counter, Gauge, type Registry } from 'prom-client';

export interface ProblemMetrics {
  problems: Counter<'reason'>;
  condition: Gauge<'type' | 'reason'>;
  dropped: Counter<'source'>;
  coalesced: Counter<'source'>;
}

function getOr<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export function problemMetrics(registry: Registry): ProblemMetrics {
  return {
    problems: getOr(registry, 'hostpilot_problem_total', () => new Counter({ name: 'hostpilot_problem_total', help: 'Problems detected (every matching line or failing check), by reason.', labelNames: ['reason'], registers: [registry] })),
    condition: getOr(registry, 'hostpilot_condition', () => new Gauge({ name: 'hostpilot_condition', help: '1 while the node condition is true with this reason, else 0.', labelNames: ['type', 'reason'], registers: [registry] })),
    dropped: getOr(registry, 'hostpilot_problem_dropped_lines_total', () => new Counter({ name: 'hostpilot_problem_dropped_lines_total', help: 'Log lines or records a monitor could not read in full or in time (cut, overwritten, skipped).', labelNames: ['source'], registers: [registry] })),
    coalesced: getOr(registry, 'hostpilot_problem_coalesced_events_total', () => new Counter({ name: 'hostpilot_problem_coalesced_events_total', help: 'Occurrences folded into a coalesced event instead of one event each.', labelNames: ['source'], registers: [registry] })),
  };
}
