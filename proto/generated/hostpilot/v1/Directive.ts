// Original file: proto/hostpilot/v1/fleet.proto

import type { OsTarget as _hostpilot_v1_OsTarget, OsTarget__Output as _hostpilot_v1_OsTarget__Output } from '../../hostpilot/v1/OsTarget.js';
import type { RemediationOrder as _hostpilot_v1_RemediationOrder, RemediationOrder__Output as _hostpilot_v1_RemediationOrder__Output } from '../../hostpilot/v1/RemediationOrder.js';
import type { DesiredConfig as _hostpilot_v1_DesiredConfig, DesiredConfig__Output as _hostpilot_v1_DesiredConfig__Output } from '../../hostpilot/v1/DesiredConfig.js';

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
  /**
   * The fleet's remediation controller asks the node to act (restart a unit, reboot, cordon).
   */
  'remediation'?: (_hostpilot_v1_RemediationOrder | null);
  /**
   * The rendered NodeConfig this node is to converge to.
   */
  'desired_config'?: (_hostpilot_v1_DesiredConfig | null);
  'kind'?: "accepted"|"desired_target"|"reset"|"remediation"|"desired_config";
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
  /**
   * The fleet's remediation controller asks the node to act (restart a unit, reboot, cordon).
   */
  'remediation'?: (_hostpilot_v1_RemediationOrder__Output | null);
  /**
   * The rendered NodeConfig this node is to converge to.
   */
  'desired_config'?: (_hostpilot_v1_DesiredConfig__Output | null);
  'kind'?: "accepted"|"desired_target"|"reset"|"remediation"|"desired_config";
}
