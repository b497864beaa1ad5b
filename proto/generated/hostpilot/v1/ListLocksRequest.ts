// Original file: proto/hostpilot/v1/locks.proto


export interface ListLocksRequest {
  /**
   * Empty: every group.
   */
  'group'?: (string);
}

export interface ListLocksRequest__Output {
  /**
   * Empty: every group.
   */
  'group': (string);
}
