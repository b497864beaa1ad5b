// The reboot-flow states as one closed set (common/api/flow-state.ts): one
// decoder from the wire, and every mapping covers every state.
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FLOW_STATES, decodeFlowState, isFlowState } from '../../common/api/flow-state.js';
import { InvalidArgumentError } from '../../common/errors.js';
import { silentLogger } from '../../common/log.js';
import { rebootLabels } from '../../agent/k8s/node-status.js';
import { flowNodeState } from '../../coordinator/fleet/node-record.js';
import { FleetRegistry } from '../../coordinator/fleet/registry.js';
import { SqliteStore } from '../../coordinator/store/sqlite.js';
import { nodeReport } from '../support/node-report.js';

describe('decodeFlowState', () => {
  it.each(FLOW_STATES.map((s) => [s]))('decodes %s', (state) => {
    expect(decodeFlowState(state)).toBe(state);
    expect(isFlowState(state)).toBe(true);
  });

  it('takes an empty state as none reported', () => expect(decodeFlowState('')).toBe(''));

  it.each(['staged', 'Idle', 'idle ', 'draining', '__proto__', 'x'.repeat(200)])('refuses %j naming the field', (text) => {
    expect(() => decodeFlowState(text)).toThrow(InvalidArgumentError);
    expect(() => decodeFlowState(text)).toThrow(/^flow_state: "[^"]{0,40}" is not a reboot-flow state \(idle, pending, /);
    expect(isFlowState(text)).toBe(false);
  });
});

describe('every mapping covers every state', () => {
  it('the coordinator derives a node state from each', () => {
    expect(Object.fromEntries(FLOW_STATES.map((s) => [s, flowNodeState(s)]))).toEqual({
      idle: 'ready',
      pending: 'updating',
      locking: 'updating',
      locked: 'updating',
      rebooting: 'rebooting',
      verifying: 'updating',
      'rolling-back': 'rebooting',
      failed: 'degraded',
    });
    expect(flowNodeState('')).toBe('ready');
  });

  it('Kubernetes shows the reboot labels of each', () => {
    const needed = FLOW_STATES.filter((s) => rebootLabels(s).rebootNeeded);
    const inProgress = FLOW_STATES.filter((s) => rebootLabels(s).rebootInProgress);
    expect(needed).toEqual(['pending', 'locking', 'locked', 'rebooting', 'verifying', 'rolling-back']);
    expect(inProgress).toEqual(['rebooting', 'verifying', 'rolling-back']);
  });
});

describe('the fleet registry decodes what an agent reports', () => {
  it('refuses an unknown flow state and keeps the node as it was', async () => {
    const store = new SqliteStore(':memory:');
    try {
      const fleet = new FleetRegistry(store, new Registry(), silentLogger, { nodeTimeoutMs: 60_000, heartbeatIntervalMs: 1000 });
      const report = (flowState: string) => nodeReport('n1', '1', flowState, '', { labels: {}, deployments: [] });
      await fleet.report(report('locking'));
      await expect(fleet.report(report('staged'))).rejects.toThrow(/^flow_state: "staged" is not a reboot-flow state/);
      expect(fleet.view('n1')?.flowState).toBe('locking');
    } finally {
      store.close();
    }
  });
});
