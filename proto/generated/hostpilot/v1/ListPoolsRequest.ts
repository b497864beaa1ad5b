// Original file: proto/hostpilot/v1/fleet.proto


export interface ListPoolsRequest {
  /**
   * The label naming a node's pool [pool].
   */
  'pool_label'?: (string);
}

export interface ListPoolsRequest__Output {
  /**
   * The label naming a node's pool [pool].
   */
  'pool_label': (string);
}
