// Original file: proto/hostpilot/v1/fleet.proto

import type { OsFacts as _hostpilot_v1_OsFacts, OsFacts__Output as _hostpilot_v1_OsFacts__Output } from '../../hostpilot/v1/OsFacts.js';
import type { Deployment as _hostpilot_v1_Deployment, Deployment__Output as _hostpilot_v1_Deployment__Output } from '../../hostpilot/v1/Deployment.js';
import type { Condition as _hostpilot_v1_Condition, Condition__Output as _hostpilot_v1_Condition__Output } from '../../hostpilot/v1/Condition.js';
import type { RemediationResult as _hostpilot_v1_RemediationResult, RemediationResult__Output as _hostpilot_v1_RemediationResult__Output } from '../../hostpilot/v1/RemediationResult.js';

export interface NodeReport {
  'node_id'?: (string);
  'hostname'?: (string);
  'labels'?: ({[key: string]: string});
  'os'?: (_hostpilot_v1_OsFacts | null);
  'deployments'?: (_hostpilot_v1_Deployment)[];
  /**
   * The reboot flow's state ("idle", "staged", "rebooting", ...), its target and last error.
   */
  'flow_state'?: (string);
  'flow_target'?: (string);
  'flow_error'?: (string);
  'conditions'?: (_hostpilot_v1_Condition)[];
  /**
   * An image-tag target as this node resolved it, `IMAGE:TAG@sha256:DIGEST` (bootc);
   * the coordinator pins the rollout to that digest. Empty: none.
   */
  'resolved_target'?: (string);
  /**
   * The hash of the rendered NodeConfig this node has applied ("sha256:<hex>"); empty: none.
   */
  'config_hash'?: (string);
  /**
   * What the agent did with the last remediation order it was given; absent: none yet.
   */
  'remediation'?: (_hostpilot_v1_RemediationResult | null);
}

export interface NodeReport__Output {
  'node_id': (string);
  'hostname': (string);
  'labels': ({[key: string]: string});
  'os': (_hostpilot_v1_OsFacts__Output | null);
  'deployments': (_hostpilot_v1_Deployment__Output)[];
  /**
   * The reboot flow's state ("idle", "staged", "rebooting", ...), its target and last error.
   */
  'flow_state': (string);
  'flow_target': (string);
  'flow_error': (string);
  'conditions': (_hostpilot_v1_Condition__Output)[];
  /**
   * An image-tag target as this node resolved it, `IMAGE:TAG@sha256:DIGEST` (bootc);
   * the coordinator pins the rollout to that digest. Empty: none.
   */
  'resolved_target': (string);
  /**
   * The hash of the rendered NodeConfig this node has applied ("sha256:<hex>"); empty: none.
   */
  'config_hash': (string);
  /**
   * What the agent did with the last remediation order it was given; absent: none yet.
   */
  'remediation': (_hostpilot_v1_RemediationResult__Output | null);
}
