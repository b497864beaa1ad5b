// Original file: proto/hostpilot/v1/fleet.proto


export interface RemediationOrder {
  /**
   * Unique per step: the agent carries out an id once; a re-sent order (after a
   * coordinator restart or a reconnect) is answered with the result it had.
   */
  'id'?: (string);
  /**
   * restart-unit | reboot | cordon
   */
  'action'?: (string);
  /**
   * The unit, for restart-unit.
   */
  'unit'?: (string);
  /**
   * The condition type that made the node unhealthy (for the agent's log and report).
   */
  'condition'?: (string);
}

export interface RemediationOrder__Output {
  /**
   * Unique per step: the agent carries out an id once; a re-sent order (after a
   * coordinator restart or a reconnect) is answered with the result it had.
   */
  'id': (string);
  /**
   * restart-unit | reboot | cordon
   */
  'action': (string);
  /**
   * The unit, for restart-unit.
   */
  'unit': (string);
  /**
   * The condition type that made the node unhealthy (for the agent's log and report).
   */
  'condition': (string);
}
