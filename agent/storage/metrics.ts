// The pool's gauges, on an injected registry, labelled by VG and pool.
import { Gauge, type Registry } from 'prom-client';
import type { PoolStatus } from './status.js';

export class ThinPoolMetrics {
  private readonly data: Gauge<'volume_group' | 'thin_pool'>;
  private readonly metadata: Gauge<'volume_group' | 'thin_pool'>;
  private readonly size: Gauge<'volume_group' | 'thin_pool'>;

  constructor(registry: Registry) {
    const labelNames = ['volume_group', 'thin_pool'] as const;
    this.data = new Gauge({ name: 'hostpilot_thinpool_data_ratio', help: 'Used fraction (0-1) of the container runtime thin pool data space.', labelNames, registers: [registry] });
    this.metadata = new Gauge({ name: 'hostpilot_thinpool_metadata_ratio', help: 'Used fraction (0-1) of the container runtime thin pool metadata space.', labelNames, registers: [registry] });
    this.size = new Gauge({ name: 'hostpilot_thinpool_size_bytes', help: 'Size of the container runtime thin pool data space in bytes.', labelNames, registers: [registry] });
  }

  /** Sets the gauges; a missing pool or N/A usage removes the series rather than reporting 0. */
  update(status: PoolStatus): void {
    const labels = { volume_group: status.volumeGroup, thin_pool: status.thinPool };
    const p = status.pool;
    if (p) this.size.set(labels, p.sizeBytes);
    else this.size.remove(labels);
    if (p?.dataPercent !== undefined) this.data.set(labels, p.dataPercent / 100);
    else this.data.remove(labels);
    if (p?.metadataPercent !== undefined) this.metadata.set(labels, p.metadataPercent / 100);
    else this.metadata.remove(labels);
  }
}
