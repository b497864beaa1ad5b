// Original file: proto/hostpilot/v1/fleet.proto

import type { OsTarget as _hostpilot_v1_OsTarget, OsTarget__Output as _hostpilot_v1_OsTarget__Output } from '../../hostpilot/v1/OsTarget.js';

export interface Directive {
  /**
   * Sent once the coordinator has taken the node's first report.
   */
  'accepted'?: (boolean);
  'desired_target'?: (_hostpilot_v1_OsTarget | null);
  /**
   * An operator reset the node: leave a failed state (the target it failed is forgotten).
   */
  'reset'?: (boolean);
  'kind'?: "accepted"|"desired_target"|"reset";
}

export interface Directive__Output {
  /**
   * Sent once the coordinator has taken the node's first report.
   */
  'accepted'?: (boolean);
  'desired_target'?: (_hostpilot_v1_OsTarget__Output | null);
  /**
   * An operator reset the node: leave a failed state (the target it failed is forgotten).
   */
  'reset'?: (boolean);
  'kind'?: "accepted"|"desired_target"|"reset";
}
