// hostpilot_os_info{version,checksum,booted}: one series per deployment, value 1,
// so dashboards can see which version every node runs and has pending.
import { Gauge, type Registry } from 'prom-client';
import type { OsStatus } from './backend.js';

export class OsInfoMetric {
  private readonly gauge: Gauge<'version' | 'checksum' | 'booted'>;

  constructor(registry: Registry) {
    this.gauge = new Gauge({
      name: 'hostpilot_os_info',
      help: 'OS deployments on this node (value 1): version, commit checksum, and whether it is the booted one.',
      labelNames: ['version', 'checksum', 'booted'],
      registers: [registry],
    });
  }

  /** Replaces every series with the deployments of `status`. */
  update(status: OsStatus): void {
    this.gauge.reset();
    for (const d of status.deployments) {
      this.gauge.set({ version: d.version, checksum: d.checksum, booted: d.booted ? 'true' : 'false' }, 1);
    }
  }
}
