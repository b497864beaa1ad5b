// Original file: proto/hostpilot/v1/fleet.proto


export interface OsTarget {
  /**
   * A version, a checksum or a refspec; empty: no desired target.
   */
  'target'?: (string);
  /**
   * Which rollout asked for it, if any.
   */
  'rollout_id'?: (string);
}

export interface OsTarget__Output {
  /**
   * A version, a checksum or a refspec; empty: no desired target.
   */
  'target': (string);
  /**
   * Which rollout asked for it, if any.
   */
  'rollout_id': (string);
}
