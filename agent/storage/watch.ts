// The agent's periodic look at the pool: read lvm state, update the metrics,
// judge the conditions. The caller (the agent's run loop) owns the schedule.
import type { Registry } from 'prom-client';
import type { CommandRunner } from '../../common/exec/runner.js';
import type { StorageConfig } from './config.js';
import { judgePool, updateConditions, type Condition } from './conditions.js';
import { ThinPoolMetrics } from './metrics.js';
import { readPoolStatus } from './observe.js';
import type { PoolStatus } from './status.js';

export class ThinPoolWatch {
  private conditions: Condition[] = [];
  private readonly metrics: ThinPoolMetrics;

  constructor(
    private readonly runner: CommandRunner,
    private readonly config: StorageConfig,
    registry: Registry,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.metrics = new ThinPoolMetrics(registry);
  }

  async check(): Promise<{ status: PoolStatus; conditions: Condition[] }> {
    const status = await readPoolStatus(this.runner, this.config);
    this.metrics.update(status);
    this.conditions = updateConditions(this.conditions, judgePool(this.config, status), this.now());
    return { status, conditions: this.conditions };
  }

  current(): Condition[] {
    return this.conditions;
  }
}
