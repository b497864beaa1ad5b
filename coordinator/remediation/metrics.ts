// The remediation controller's metrics, label values initialised to 0.
import { Counter, Gauge, type Registry } from 'prom-client';
import { REMEDIATION_ACTIONS } from '../../common/api/kinds/remediation-policy.js';
import type { Outcome } from './ladder.js';

const OUTCOMES: readonly Outcome[] = ['ordered', 'repaired', 'escalated', 'failed', 'timed-out', 'rate-limited', 'needs-reprovision', 'given-up'];

export class RemediationMetrics {
  private readonly total: Counter<'action' | 'result'>;
  private readonly active: Gauge<'pool'>;
  private readonly storm: Gauge<'pool'>;
  private readonly pools = new Set<string>();

  constructor(registry: Registry) {
    this.total = new Counter({
      name: 'hostpilot_remediations_total',
      help: 'Remediation steps by action and result: ordered, repaired (the condition cleared after it), failed, timed-out, rate-limited (a reboot refused by the per-node limit), needs-reprovision, given-up (no step left; action "none").',
      labelNames: ['action', 'result'],
      registers: [registry],
    });
    for (const action of [...REMEDIATION_ACTIONS, 'none']) for (const result of OUTCOMES) this.total.inc({ action, result }, 0);
    this.active = new Gauge({ name: 'hostpilot_remediation_active', help: 'Nodes with a remediation under way, by pool.', labelNames: ['pool'], registers: [registry] });
    this.storm = new Gauge({ name: 'hostpilot_remediation_storm', help: '1 while the storm guard holds the pool (more nodes unhealthy at once than its policy allows).', labelNames: ['pool'], registers: [registry] });
  }

  count(action: string | undefined, result: Outcome): void {
    this.total.inc({ action: action ?? 'none', result });
  }

  /** The gauges after a pass: every pool seen so far keeps a series (0 when nothing happens there). */
  set(active: ReadonlyMap<string, number>, storm: ReadonlySet<string>, pools: Iterable<string>): void {
    for (const p of pools) this.pools.add(p);
    for (const p of active.keys()) this.pools.add(p);
    for (const pool of this.pools) {
      this.active.set({ pool }, active.get(pool) ?? 0);
      this.storm.set({ pool }, storm.has(pool) ? 1 : 0);
    }
  }
}
