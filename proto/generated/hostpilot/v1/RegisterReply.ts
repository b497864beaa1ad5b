// Original file: proto/hostpilot/v1/fleet.proto


export interface RegisterReply {
  /**
   * How often the coordinator expects a NodeReport when nothing changes.
   */
  'heartbeat_interval_ms'?: (number);
}

export interface RegisterReply__Output {
  /**
   * How often the coordinator expects a NodeReport when nothing changes.
   */
  'heartbeat_interval_ms': (number);
}
