// Original file: proto/hostpilot/v1/configs.proto


export interface RenderedConfigRequest {
  /**
   * A pool name (the value of a node's `pool` label).
   */
  'pool'?: (string);
}

export interface RenderedConfigRequest__Output {
  /**
   * A pool name (the value of a node's `pool` label).
   */
  'pool': (string);
}
