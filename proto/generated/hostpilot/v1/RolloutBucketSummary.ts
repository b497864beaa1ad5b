// Original file: proto/hostpilot/v1/rollouts.proto

import type { RolloutNodeCounts as _hostpilot_v1_RolloutNodeCounts, RolloutNodeCounts__Output as _hostpilot_v1_RolloutNodeCounts__Output } from '../../hostpilot/v1/RolloutNodeCounts.js';

export interface RolloutBucketSummary {
  'name'?: (string);
  'total'?: (number);
  'counts'?: (_hostpilot_v1_RolloutNodeCounts | null);
}

export interface RolloutBucketSummary__Output {
  'name': (string);
  'total': (number);
  'counts': (_hostpilot_v1_RolloutNodeCounts__Output | null);
}
