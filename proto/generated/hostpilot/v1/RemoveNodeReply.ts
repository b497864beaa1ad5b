// Original file: proto/hostpilot/v1/fleet.proto


export interface RemoveNodeReply {
  'removed'?: (boolean);
  /**
   * Whether the node was connected (only with force).
   */
  'was_connected'?: (boolean);
}

export interface RemoveNodeReply__Output {
  'removed': (boolean);
  /**
   * Whether the node was connected (only with force).
   */
  'was_connected': (boolean);
}
