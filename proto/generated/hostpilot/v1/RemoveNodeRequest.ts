// Original file: proto/hostpilot/v1/fleet.proto


export interface RemoveNodeRequest {
  'node_id'?: (string);
  /**
   * Remove it even while its agent is connected (its stream is closed).
   */
  'force'?: (boolean);
}

export interface RemoveNodeRequest__Output {
  'node_id': (string);
  /**
   * Remove it even while its agent is connected (its stream is closed).
   */
  'force': (boolean);
}
