import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { judgePool, updateConditions } from '../../agent/storage/conditions.js';
import { parseLvs, parsePvs, parseVgs } from '../../agent/storage/lvm-report.js';
import { ThinPoolMetrics } from '../../agent/storage/metrics.js';
import { poolStatus } from '../../agent/storage/status.js';
import { ProcessRunner } from '../../common/exec/runner.js';
import { findCommand } from '../support/components.js';
import { fixture, vmConfig } from './fixtures.js';

function statusOf(prefix: string, lvsFile = `${prefix}-lvs.json`, vgsFile = `${prefix}-vgs.json`, config = vmConfig()) {
  return poolStatus(config, parsePvs(fixture('created-pvs.json')), parseVgs(fixture(vgsFile))[0], parseLvs(fixture(lvsFile)));
}

const brief = (config: ReturnType<typeof vmConfig>, s: ReturnType<typeof statusOf>) => judgePool(config, s).map((c) => `${c.type}=${c.status}/${c.reason}`);

describe('thin pool conditions (captured VM states)', () => {
  const config = vmConfig();

  it('a fresh pool: nothing wrong', () => {
    expect(brief(config, statusOf('created'))).toEqual(['ThinPoolNearlyFull=False/BelowThreshold', 'ThinPoolCriticallyFull=False/BelowCritical']);
  });

  it('above the threshold with no free extents left: NearlyFull', () => {
    const [nearly] = judgePool(config, statusOf('nearly-full'));
    expect(nearly).toEqual({
      type: 'ThinPoolNearlyFull',
      status: 'True',
      reason: 'NoFreeExtents',
      message: 'hpvg/pool: data 78.7%, metadata 11.13%, at or above 60% and hpvg has only 28.00 MiB free (a 50% extension needs 108.00 MiB): add a device',
    });
  });

  it('above the threshold with room to grow: pending, not a problem', () => {
    const s = statusOf('nearly-full');
    s.vgFreeBytes = 512 * 1024 * 1024;
    expect(brief(config, s)[0]).toBe('ThinPoolNearlyFull=False/AutoExtendPending');
    expect(brief(vmConfig({ autoExtend: { enabled: false } }), s)[0]).toBe('ThinPoolNearlyFull=True/AutoExtendDisabled');
  });

  it('at or above 95%: critical as well', () => {
    expect(brief(config, statusOf('critical'))).toEqual(['ThinPoolNearlyFull=True/NoFreeExtents', 'ThinPoolCriticallyFull=True/DataCriticallyFull']);
  });

  it('LVM reporting the pool out of data space: critical', () => {
    const other = vmConfig({ volumeGroup: 'othervg', thinPool: 'fullpool' });
    const s = poolStatus(other, parsePvs(fixture('othervg-pvs.json')), parseVgs(fixture('othervg-vgs.json')).find((v) => v.name === 'othervg'), parseLvs(fixture('out-of-data-lvs.json')));
    const critical = judgePool(other, s)[1]!;
    expect(critical.status).toBe('True');
    expect(critical.reason).toBe('PoolFailed');
    expect(critical.message).toMatch(/out_of_data_space \(lv_attr twi-aotzD-\)/);
  });

  it('an inactive pool (N/A usage) or a missing one: Unknown', () => {
    expect(brief(config, statusOf('created', 'inactive-lvs.json', 'nearly-full-vgs.json'))).toEqual([
      'ThinPoolNearlyFull=Unknown/UsageUnknown',
      'ThinPoolCriticallyFull=Unknown/UsageUnknown',
    ]);
    const none = poolStatus(config, [], undefined, []);
    expect(brief(config, none)[0]).toBe('ThinPoolNearlyFull=Unknown/VolumeGroupMissing');
  });

  it('keeps transitionTime while the status holds', () => {
    const t1 = new Date('2026-01-01T00:00:00Z');
    const t2 = new Date('2026-01-01T00:01:00Z');
    const first = updateConditions([], judgePool(config, statusOf('nearly-full')), t1);
    const second = updateConditions(first, judgePool(config, statusOf('critical')), t2);
    expect(second[0]!.lastTransitionTime).toBe(t1.getTime());
    expect(second[1]!.lastTransitionTime).toBe(t2.getTime());
  });
});

describe('thin pool metrics', () => {
  it('exports data/metadata ratios and size on the injected registry', async () => {
    const registry = new Registry();
    const metrics = new ThinPoolMetrics(registry);
    metrics.update(statusOf('critical'));
    const text = await registry.metrics();
    expect(text).toContain('hostpilot_thinpool_data_ratio{volume_group="hpvg",thin_pool="pool"} 0.963');
    expect(text).toContain('hostpilot_thinpool_metadata_ratio{volume_group="hpvg",thin_pool="pool"} 0.1113');
    expect(text).toContain('hostpilot_thinpool_size_bytes{volume_group="hpvg",thin_pool="pool"} 226492416');
    // N/A usage removes the ratio series instead of claiming 0.
    metrics.update(statusOf('created', 'inactive-lvs.json', 'nearly-full-vgs.json'));
    const after = await registry.metrics();
    expect(after).not.toContain('hostpilot_thinpool_data_ratio{');
    expect(after).toContain('hostpilot_thinpool_size_bytes{volume_group="hpvg",thin_pool="pool"} 226492416');
    const promtool = findCommand('promtool');
    if (promtool) await new ProcessRunner().run({ argv: [promtool, 'check', 'metrics'], input: text });
  });
});
