// Original file: proto/hostpilot/v1/rollouts.proto

import type { Long } from '@grpc/proto-loader';

export interface RolloutNodeStatus {
  'node_id'?: (string);
  /**
   * waiting | updating | done | failed | reverting | skipped (excluded by an operator)
   */
  'phase'?: (string);
  'since_unix_ms'?: (number | string | Long);
  'previous'?: (string);
  /**
   * The agent's last error (its flow_error), else why the rollout failed the node.
   */
  'error'?: (string);
  /**
   * The node's state in the fleet (ready, updating, degraded, unreachable, excluded, ...).
   */
  'state'?: (string);
  /**
   * With a config: the rendered config hash the node had applied when the rollout started it
   * (what a rollback sends it), and the one it reports applied now.
   */
  'previous_config'?: (string);
  'config_hash'?: (string);
}

export interface RolloutNodeStatus__Output {
  'node_id': (string);
  /**
   * waiting | updating | done | failed | reverting | skipped (excluded by an operator)
   */
  'phase': (string);
  'since_unix_ms': (number);
  'previous': (string);
  /**
   * The agent's last error (its flow_error), else why the rollout failed the node.
   */
  'error': (string);
  /**
   * The node's state in the fleet (ready, updating, degraded, unreachable, excluded, ...).
   */
  'state': (string);
  /**
   * With a config: the rendered config hash the node had applied when the rollout started it
   * (what a rollback sends it), and the one it reports applied now.
   */
  'previous_config': (string);
  'config_hash': (string);
}
