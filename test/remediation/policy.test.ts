// RemediationPolicy as a resource: the canonical spec, errors that name the
// field, and apply/get/diff/delete through the resource service.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateDocument } from '../../common/api/resources.js';
import { RemediationSim, nodeIds, policyDocument } from '../../bench/sim/remediation-sim.js';

const good = {
  selector: { pool: ['workers'] },
  conditions: [{ type: 'KernelDeadlock', for: '300s' }, { type: 'Ready', status: 'False', for: '2m' }],
  unreachableFor: '10m',
  steps: [{ action: 'restart-unit', unit: 'kubelet.service' }, { action: 'reboot', timeout: '20m' }, { action: 'reprovision', webhook: 'https://provisioner.example/hook' }],
  maxUnhealthy: '20%',
  maxReboots: 2,
  rebootWindow: '6h',
};

const validate = (spec: unknown) => validateDocument(policyDocument('workers', spec as Record<string, unknown>), 'f.yaml: document 1');

describe('RemediationPolicy validation', () => {
  it('fills defaults and formats durations: "300s" and "5m" are the same spec', () => {
    expect(validate(good).spec).toEqual({
      selector: { pool: ['workers'] },
      poolLabel: 'pool',
      conditions: [
        { type: 'KernelDeadlock', status: 'True', for: '5m' },
        { type: 'Ready', status: 'False', for: '2m' },
      ],
      unreachableFor: '10m',
      steps: [
        { action: 'restart-unit', unit: 'kubelet.service', timeout: '5m' },
        { action: 'reboot', timeout: '20m' },
        { action: 'reprovision', webhook: 'https://provisioner.example/hook' },
      ],
      maxUnhealthy: '20%',
      stormCooldown: '5m',
      maxUnavailable: '1',
      maxReboots: 2,
      rebootWindow: '6h',
      paused: false,
    });
  });

  it.each([
    [{ ...good, bogus: 1 }, /spec\.bogus: unknown field/],
    [{ ...good, steps: [] }, /spec\.steps: is required/],
    [{ ...good, steps: [{ action: 'restart-unit' }] }, /spec\.steps\[0\]\.unit/],
    [{ ...good, steps: [{ action: 'format-disk' }] }, /spec\.steps\[0\]\.action: "format-disk" is not one of restart-unit, reboot, reprovision/],
    [{ ...good, steps: [{ action: 'reprovision' }, { action: 'reboot' }] }, /spec\.steps\[0\]\.action: reprovision is the last step/],
    [{ ...good, steps: [{ action: 'reboot', timeout: 'soon' }] }, /spec\.steps\[0\]\.timeout/],
    [{ ...good, steps: [{ action: 'reprovision', webhook: 'ftp://x/' }] }, /spec\.steps\[0\]\.webhook: .*scheme must be http or https/],
    [{ ...good, conditions: [{ type: 'KernelDeadlock', for: 'abc' }] }, /spec\.conditions\[0\]\.for/],
    [{ ...good, conditions: [{ type: 'KernelDeadlock', status: 'Maybe' }] }, /spec\.conditions\[0\]\.status: "Maybe" is not "True" or "False"/],
    [{ ...good, conditions: [{ type: 'A' }, { type: 'A' }] }, /spec\.conditions\[1\]\.type: A is listed twice/],
    [{ ...good, conditions: [], unreachableFor: undefined }, /spec\.conditions: is empty and spec\.unreachableFor is not set/],
    [{ ...good, maxUnhealthy: '120%' }, /spec\.maxUnhealthy: "120%" is over 100%/],
    [{ ...good, maxUnavailable: 0 }, /spec\.maxUnavailable/],
    [{ ...good, maxReboots: -1 }, /spec\.maxReboots/],
    [{ ...good, selector: { pool: 'a,b' } }, /spec\.selector\.pool/],
  ])('refuses bad spec #%# naming the field', (spec, message) => {
    expect(() => validate(spec)).toThrow(message);
    expect(() => validate(spec)).toThrow(/^f\.yaml: document 1: spec\./);
  });
});

describe('RemediationPolicy resources', () => {
  let sim: RemediationSim;
  beforeEach(async () => {
    sim = await RemediationSim.open({ storePath: ':memory:', pools: { workers: nodeIds('w', 3) }, slots: 1, rebootMs: 60_000, startAt: Date.UTC(2026, 0, 7) });
  });
  afterEach(async () => {
    await sim.close();
  });

  it('applies, gets with status, diffs, and deletes', async () => {
    const resources = sim.coordinator.resources;
    const doc = { where: 'f.yaml: document 1', raw: policyDocument('workers', good) };
    expect((await resources.applyDocuments([doc], { managedBy: 'apply' }))[0]).toMatchObject({ kind: 'RemediationPolicy', name: 'workers', action: 'created' });
    expect((await resources.applyDocuments([doc], { managedBy: 'apply' }))[0]!.action).toBe('unchanged');
    const [got] = await resources.get('remediationpolicies', 'workers');
    expect(got!.spec.maxUnhealthy).toBe('20%');
    expect(got!.status).toEqual({ active: 0, waiting: 0, needsReprovision: [] });
    const diff = await resources.applyDocuments([{ ...doc, raw: policyDocument('workers', { ...good, maxUnhealthy: 3 }) }], { managedBy: 'apply', dryRun: true });
    expect(diff[0]).toMatchObject({ action: 'configured', changes: ['spec.maxUnhealthy: "20%" -> "3"'] });
    expect((await resources.delete([{ kind: 'RemediationPolicy', name: 'workers' }]))[0]!.action).toBe('deleted');
    await expect(resources.get('RemediationPolicy', 'workers')).rejects.toThrow(/no RemediationPolicy "workers"/);
  });
});
