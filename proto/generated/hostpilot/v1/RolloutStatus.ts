// Original file: proto/hostpilot/v1/rollouts.proto

import type { RolloutSpec as _hostpilot_v1_RolloutSpec, RolloutSpec__Output as _hostpilot_v1_RolloutSpec__Output } from '../../hostpilot/v1/RolloutSpec.js';
import type { RolloutBucket as _hostpilot_v1_RolloutBucket, RolloutBucket__Output as _hostpilot_v1_RolloutBucket__Output } from '../../hostpilot/v1/RolloutBucket.js';
import type { RolloutNodeStatus as _hostpilot_v1_RolloutNodeStatus, RolloutNodeStatus__Output as _hostpilot_v1_RolloutNodeStatus__Output } from '../../hostpilot/v1/RolloutNodeStatus.js';
import type { Long } from '@grpc/proto-loader';

export interface RolloutStatus {
  'spec'?: (_hostpilot_v1_RolloutSpec | null);
  /**
   * running | paused | completed | aborted
   */
  'phase'?: (string);
  'reason'?: (string);
  /**
   * "failure" or "operator" when paused.
   */
  'paused_by'?: (string);
  'bucket'?: (number);
  'buckets'?: (_hostpilot_v1_RolloutBucket)[];
  'nodes'?: (_hostpilot_v1_RolloutNodeStatus)[];
  'created_unix_ms'?: (number | string | Long);
  'updated_unix_ms'?: (number | string | Long);
  /**
   * An image-tag target pinned to the digest its first node resolved (IMAGE@sha256:…):
   * what every node is told. Empty: not a tag, or not resolved yet.
   */
  'pinned_target'?: (string);
}

export interface RolloutStatus__Output {
  'spec': (_hostpilot_v1_RolloutSpec__Output | null);
  /**
   * running | paused | completed | aborted
   */
  'phase': (string);
  'reason': (string);
  /**
   * "failure" or "operator" when paused.
   */
  'paused_by': (string);
  'bucket': (number);
  'buckets': (_hostpilot_v1_RolloutBucket__Output)[];
  'nodes': (_hostpilot_v1_RolloutNodeStatus__Output)[];
  'created_unix_ms': (number);
  'updated_unix_ms': (number);
  /**
   * An image-tag target pinned to the digest its first node resolved (IMAGE@sha256:…):
   * what every node is told. Empty: not a tag, or not resolved yet.
   */
  'pinned_target': (string);
}
