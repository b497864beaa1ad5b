// A NodeReport as grpc-js hands it to the coordinator (every field present):
// one node of pool `workers`, booted on `version`. One builder for the tests,
// so a field added to the proto is added here once.
import type { NodeReport__Output } from '../../proto/generated/hostpilot/v1/NodeReport.js';

export function nodeReport(nodeId: string, version: string, flowState = 'idle', flowError = '', over: Partial<NodeReport__Output> = {}): NodeReport__Output {
  return {
    node_id: nodeId,
    hostname: nodeId,
    labels: { pool: 'workers' },
    os: null,
    deployments: [{ id: version, osname: 'testos', checksum: `c${version}`, version, origin: 'os:testos/stable', booted: true, staged: false, pinned: false, index: 0, timestamp_unix: 0 }],
    flow_state: flowState,
    flow_target: '',
    flow_error: flowError,
    resolved_target: '',
    config_hash: '',
    remediation: null,
    conditions: [],
    ...over,
  };
}
