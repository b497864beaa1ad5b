import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ProcessRunner } from '../../../common/exec/runner.js';
import { OsInfoMetric } from '../../../agent/os/metrics.js';
import { parseRpmOstreeStatus } from '../../../agent/os/rpm-ostree-status.js';
import { describeWith } from '../../support/components.js';

const STAGED = parseRpmOstreeStatus(readFileSync(join(import.meta.dirname, '../../fixtures/rpm-ostree/zincati-rpm-ostree-staged.json'), 'utf8'));
const SINGLE = parseRpmOstreeStatus(readFileSync(join(import.meta.dirname, '../../fixtures/rpm-ostree/zincati-rpm-ostree-status.json'), 'utf8'));

function setup(): { registry: Registry; metric: OsInfoMetric } {
  const registry = new Registry();
  return { registry, metric: new OsInfoMetric(registry) };
}

describe('hostpilot_os_info', () => {
  it('has one series per deployment and forgets deployments that are gone', async () => {
    const { registry, metric } = setup();
    metric.update(STAGED);
    let text = await registry.metrics();
    expect(text).toContain('hostpilot_os_info{version="31.20200517.3.0",checksum="967b7b8d624e6d10ff51c2e81ef198fae966c567ac2e9b479771c693d0987949",booted="false"} 1');
    expect(text).toContain('hostpilot_os_info{version="31.20200505.3.0",checksum="01f074cc6cd88d8d2b43f821da692f2367c101eb4377802cb35092bde0ef02f7",booted="true"} 1');
    metric.update(SINGLE);
    text = await registry.metrics();
    expect(text).not.toContain('31.20200517.3.0');
    expect(text).toContain('version="43.20251024.3.0"');
  });
});

describeWith(['promtool'], 'hostpilot_os_info exposition', () => {
  it('passes promtool check metrics', async () => {
    const { registry, metric } = setup();
    metric.update(STAGED);
    const result = await new ProcessRunner().run({ argv: ['promtool', 'check', 'metrics'], input: await registry.metrics() });
    expect(result.exitCode).toBe(0);
  });
});
