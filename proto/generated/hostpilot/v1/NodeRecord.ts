// Original file: proto/hostpilot/v1/fleet.proto

import type { OsFacts as _hostpilot_v1_OsFacts, OsFacts__Output as _hostpilot_v1_OsFacts__Output } from '../../hostpilot/v1/OsFacts.js';
import type { Deployment as _hostpilot_v1_Deployment, Deployment__Output as _hostpilot_v1_Deployment__Output } from '../../hostpilot/v1/Deployment.js';
import type { Condition as _hostpilot_v1_Condition, Condition__Output as _hostpilot_v1_Condition__Output } from '../../hostpilot/v1/Condition.js';
import type { OsTarget as _hostpilot_v1_OsTarget, OsTarget__Output as _hostpilot_v1_OsTarget__Output } from '../../hostpilot/v1/OsTarget.js';
import type { Long } from '@grpc/proto-loader';

export interface NodeRecord {
  'node_id'?: (string);
  'hostname'?: (string);
  'labels'?: ({[key: string]: string});
  'os'?: (_hostpilot_v1_OsFacts | null);
  'deployments'?: (_hostpilot_v1_Deployment)[];
  'flow_state'?: (string);
  'flow_target'?: (string);
  'flow_error'?: (string);
  'conditions'?: (_hostpilot_v1_Condition)[];
  /**
   * ready | updating | rebooting | degraded | unreachable
   */
  'state'?: (string);
  'last_seen_unix_ms'?: (number | string | Long);
  'connected'?: (boolean);
  /**
   * What the coordinator asked the node to run, and the rollout that asked (empty: nothing).
   */
  'desired'?: (_hostpilot_v1_OsTarget | null);
  /**
   * Held out of rollouts by an operator, and why.
   */
  'excluded'?: (boolean);
  'excluded_reason'?: (string);
  'excluded_since_unix_ms'?: (number | string | Long);
  /**
   * The rendered NodeConfig hash the node reports applied, and the one it is told to apply.
   */
  'config_hash'?: (string);
  'desired_config_hash'?: (string);
}

export interface NodeRecord__Output {
  'node_id': (string);
  'hostname': (string);
  'labels': ({[key: string]: string});
  'os': (_hostpilot_v1_OsFacts__Output | null);
  'deployments': (_hostpilot_v1_Deployment__Output)[];
  'flow_state': (string);
  'flow_target': (string);
  'flow_error': (string);
  'conditions': (_hostpilot_v1_Condition__Output)[];
  /**
   * ready | updating | rebooting | degraded | unreachable
   */
  'state': (string);
  'last_seen_unix_ms': (number);
  'connected': (boolean);
  /**
   * What the coordinator asked the node to run, and the rollout that asked (empty: nothing).
   */
  'desired': (_hostpilot_v1_OsTarget__Output | null);
  /**
   * Held out of rollouts by an operator, and why.
   */
  'excluded': (boolean);
  'excluded_reason': (string);
  'excluded_since_unix_ms': (number);
  /**
   * The rendered NodeConfig hash the node reports applied, and the one it is told to apply.
   */
  'config_hash': (string);
  'desired_config_hash': (string);
}
