// Small builders for rollout tests: fleet nodes, specs and fixed clocks.
import type { FleetNode } from '../../coordinator/rollout/planner.js';
import type { RolloutSpec } from '../../coordinator/rollout/types.js';

/** Wednesday 2026-01-07 12:00:00 UTC: every clock in these tests is a fixed date. */
export const WED_NOON_UTC = Date.UTC(2026, 0, 7, 12, 0);
export const MIN = 60_000;
export const HOUR = 60 * MIN;

export function node(nodeId: string, labels: Record<string, string> = {}, over: Partial<FleetNode> = {}): FleetNode {
  return {
    nodeId,
    labels: { pool: 'workers', ...labels },
    state: 'ready',
    flowState: 'idle',
    flowError: '',
    bootedVersion: '1.0',
    bootedChecksum: 'aaaaaaaaaaaaaaaaaaaa',
    bootedOrigin: 'os:testos/stable',
    activeProblems: 0,
    configHash: '',
    ...over,
  };
}

export function spec(over: Partial<RolloutSpec> = {}): RolloutSpec {
  return {
    id: 'r1',
    target: '2.0',
    selector: {},
    strategy: { kind: 'size', size: 1000 },
    maxUnavailable: { kind: 'count', count: 1 },
    poolLabel: 'pool',
    windows: [],
    settleMs: 0,
    healthTimeoutMs: 10 * MIN,
    failurePolicy: { pauseAfter: 1, rollback: false },
    lockGroup: 'default',
    ...over,
  };
}

export function fleetOf(nodes: FleetNode[]): Map<string, FleetNode> {
  return new Map(nodes.map((n) => [n.nodeId, n]));
}

/** The node after it rebooted into `version` and reports steady. */
export function onVersion(n: FleetNode, version: string): FleetNode {
  return { ...n, bootedVersion: version, bootedChecksum: `c${version.replace(/\W/g, '')}`.padEnd(20, '0'), state: 'ready', flowState: 'idle', flowError: '' };
}
