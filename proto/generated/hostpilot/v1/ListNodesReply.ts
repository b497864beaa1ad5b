// Original file: proto/hostpilot/v1/fleet.proto

import type { NodeRecord as _hostpilot_v1_NodeRecord, NodeRecord__Output as _hostpilot_v1_NodeRecord__Output } from '../../hostpilot/v1/NodeRecord.js';

export interface ListNodesReply {
  'nodes'?: (_hostpilot_v1_NodeRecord)[];
  /**
   * Empty on the last page; otherwise pass it as page_token for the next one.
   */
  'next_page_token'?: (string);
}

export interface ListNodesReply__Output {
  'nodes': (_hostpilot_v1_NodeRecord__Output)[];
  /**
   * Empty on the last page; otherwise pass it as page_token for the next one.
   */
  'next_page_token': (string);
}
