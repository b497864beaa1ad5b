// The agent's own watch on the pool, as node-problem-detector style
// conditions (plain objects): ThinPoolNearlyFull when data or metadata is at or
// above autoExtend.threshold and the VG cannot give the next extension;
// ThinPoolCriticallyFull at or above 95% (or when LVM reports the pool out of
// space / failed). Pure; the clock is the caller's.
import { withTransition, type Condition as NodeCondition } from '../../common/api/conditions.js';
import type { StorageConfig } from './config.js';
import type { PoolStatus } from './status.js';
import { formatBytes } from './size.js';

export interface Condition extends NodeCondition {
  type: 'ThinPoolNearlyFull' | 'ThinPoolCriticallyFull';
}

export const CRITICAL_PERCENT = 95;

type Judgement = Omit<Condition, 'lastTransitionTime'>;

function usage(s: NonNullable<PoolStatus['pool']>): string {
  const f = (v: number | undefined) => (v === undefined ? 'N/A' : `${v}%`);
  return `data ${f(s.dataPercent)}, metadata ${f(s.metadataPercent)}`;
}

export function judgePool(config: StorageConfig, status: PoolStatus): Judgement[] {
  const ref = `${status.volumeGroup}/${status.thinPool}`;
  const pool = status.pool;
  if (!pool || !pool.active || pool.dataPercent === undefined || pool.metadataPercent === undefined) {
    const why = !status.vgExists ? 'VolumeGroupMissing' : !pool ? 'ThinPoolMissing' : 'UsageUnknown';
    const msg = !status.vgExists ? `volume group ${status.volumeGroup} does not exist` : !pool ? `thin pool ${ref} does not exist` : `${ref} reports no usage (inactive?)`;
    return [
      { type: 'ThinPoolNearlyFull', status: 'Unknown', reason: why, message: msg },
      { type: 'ThinPoolCriticallyFull', status: 'Unknown', reason: why, message: msg },
    ];
  }
  const { threshold, percent } = config.autoExtend;
  const worst = Math.max(pool.dataPercent, pool.metadataPercent);
  const free = status.vgFreeBytes ?? 0;
  const need = Math.ceil((pool.sizeBytes * percent) / 100);
  let nearly: Judgement;
  if (worst < threshold) {
    nearly = { type: 'ThinPoolNearlyFull', status: 'False', reason: 'BelowThreshold', message: `${ref}: ${usage(pool)}, below ${threshold}%` };
  } else if (free >= need && config.autoExtend.enabled) {
    nearly = {
      type: 'ThinPoolNearlyFull',
      status: 'False',
      reason: 'AutoExtendPending',
      message: `${ref}: ${usage(pool)}, at or above ${threshold}%; ${status.volumeGroup} has ${formatBytes(free)} free for the next ${percent}% extension`,
    };
  } else {
    nearly = {
      type: 'ThinPoolNearlyFull',
      status: 'True',
      reason: config.autoExtend.enabled ? 'NoFreeExtents' : 'AutoExtendDisabled',
      message: `${ref}: ${usage(pool)}, at or above ${threshold}% and ${config.autoExtend.enabled ? `${status.volumeGroup} has only ${formatBytes(free)} free (a ${percent}% extension needs ${formatBytes(need)}): add a device` : 'autoExtend is disabled'}`,
    };
  }
  const failed = pool.problems.filter((p) => p === 'out_of_data_space' || p === 'metadata_read_only' || p === 'failed');
  let critical: Judgement;
  if (failed.length > 0) {
    critical = { type: 'ThinPoolCriticallyFull', status: 'True', reason: 'PoolFailed', message: `${ref}: LVM reports ${failed.join(', ')} (lv_attr ${pool.attr}); ${usage(pool)}` };
  } else if (worst >= CRITICAL_PERCENT) {
    critical = {
      type: 'ThinPoolCriticallyFull',
      status: 'True',
      reason: pool.dataPercent >= CRITICAL_PERCENT ? 'DataCriticallyFull' : 'MetadataCriticallyFull',
      message: `${ref}: ${usage(pool)}, at or above ${CRITICAL_PERCENT}%: writes will soon block or fail`,
    };
  } else {
    critical = { type: 'ThinPoolCriticallyFull', status: 'False', reason: 'BelowCritical', message: `${ref}: ${usage(pool)}, below ${CRITICAL_PERCENT}%` };
  }
  return [nearly, critical];
}

/** Keeps each condition's transition time while its status stays the same. */
export function updateConditions(previous: readonly Condition[], next: readonly Judgement[], now: Date): Condition[] {
  return next.map((j) => withTransition(j, previous.find((p) => p.type === j.type), now.getTime()));
}

/** `storage status --json`'s form of a condition (node-problem-detector's, with an ISO 8601 time). */
export function conditionJson(c: Condition): Record<string, string> {
  return { type: c.type, status: c.status, reason: c.reason, message: c.message, transitionTime: new Date(c.lastTransitionTime).toISOString() };
}
