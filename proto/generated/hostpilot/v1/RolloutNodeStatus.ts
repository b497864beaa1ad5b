// Original file: proto/hostpilot/v1/rollouts.proto

import type { Long } from '@grpc/proto-loader';

export interface RolloutNodeStatus {
  'node_id'?: (string);
  /**
   * waiting | updating | done | failed | reverting
   */
  'phase'?: (string);
  'since_unix_ms'?: (number | string | Long);
  'previous'?: (string);
  'error'?: (string);
}

export interface RolloutNodeStatus__Output {
  'node_id': (string);
  /**
   * waiting | updating | done | failed | reverting
   */
  'phase': (string);
  'since_unix_ms': (number);
  'previous': (string);
  'error': (string);
}
