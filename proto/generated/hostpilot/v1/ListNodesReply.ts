// Original file: proto/hostpilot/v1/fleet.proto

import type { NodeRecord as _hostpilot_v1_NodeRecord, NodeRecord__Output as _hostpilot_v1_NodeRecord__Output } from '../../hostpilot/v1/NodeRecord.js';

export interface ListNodesReply {
  'nodes'?: (_hostpilot_v1_NodeRecord)[];
}

export interface ListNodesReply__Output {
  'nodes': (_hostpilot_v1_NodeRecord__Output)[];
}
