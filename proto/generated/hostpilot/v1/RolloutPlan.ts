// Original file: proto/hostpilot/v1/rollouts.proto

import type { RolloutSpec as _hostpilot_v1_RolloutSpec, RolloutSpec__Output as _hostpilot_v1_RolloutSpec__Output } from '../../hostpilot/v1/RolloutSpec.js';
import type { RolloutPlanBucket as _hostpilot_v1_RolloutPlanBucket, RolloutPlanBucket__Output as _hostpilot_v1_RolloutPlanBucket__Output } from '../../hostpilot/v1/RolloutPlanBucket.js';
import type { Long } from '@grpc/proto-loader';

export interface RolloutPlan {
  'spec'?: (_hostpilot_v1_RolloutSpec | null);
  'buckets'?: (_hostpilot_v1_RolloutPlanBucket)[];
  /**
   * Expected duration from the time model: per wave a node's update, per bucket the settle time.
   */
  'expected_duration_ms'?: (number | string | Long);
  /**
   * The time model's figure for one node's update (stage, lock, reboot, health).
   */
  'node_update_ms'?: (number | string | Long);
  /**
   * Windows make it longer: when the first window opens (0: open now or no windows).
   */
  'first_window_unix_ms'?: (number | string | Long);
}

export interface RolloutPlan__Output {
  'spec': (_hostpilot_v1_RolloutSpec__Output | null);
  'buckets': (_hostpilot_v1_RolloutPlanBucket__Output)[];
  /**
   * Expected duration from the time model: per wave a node's update, per bucket the settle time.
   */
  'expected_duration_ms': (number);
  /**
   * The time model's figure for one node's update (stage, lock, reboot, health).
   */
  'node_update_ms': (number);
  /**
   * Windows make it longer: when the first window opens (0: open now or no windows).
   */
  'first_window_unix_ms': (number);
}
