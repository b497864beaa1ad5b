// Original file: proto/hostpilot/v1/rollouts.proto

import type { RolloutSpec as _hostpilot_v1_RolloutSpec, RolloutSpec__Output as _hostpilot_v1_RolloutSpec__Output } from '../../hostpilot/v1/RolloutSpec.js';
import type { RolloutBucket as _hostpilot_v1_RolloutBucket, RolloutBucket__Output as _hostpilot_v1_RolloutBucket__Output } from '../../hostpilot/v1/RolloutBucket.js';
import type { RolloutNodeStatus as _hostpilot_v1_RolloutNodeStatus, RolloutNodeStatus__Output as _hostpilot_v1_RolloutNodeStatus__Output } from '../../hostpilot/v1/RolloutNodeStatus.js';
import type { PoolBudget as _hostpilot_v1_PoolBudget, PoolBudget__Output as _hostpilot_v1_PoolBudget__Output } from '../../hostpilot/v1/PoolBudget.js';
import type { RolloutBucketSummary as _hostpilot_v1_RolloutBucketSummary, RolloutBucketSummary__Output as _hostpilot_v1_RolloutBucketSummary__Output } from '../../hostpilot/v1/RolloutBucketSummary.js';
import type { RolloutNodeCounts as _hostpilot_v1_RolloutNodeCounts, RolloutNodeCounts__Output as _hostpilot_v1_RolloutNodeCounts__Output } from '../../hostpilot/v1/RolloutNodeCounts.js';
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
  /**
   * Why nothing moves now, for a person (window, budget holders, pause reason, settle, health wait).
   */
  'message'?: (string);
  /**
   * Per pool, the nodes that take its budget now.
   */
  'budgets'?: (_hostpilot_v1_PoolBudget)[];
  /**
   * Nodes per phase in each bucket, for a window of at most 1000 buckets starting at
   * bucket_summaries_from (10 before the current one). `buckets` (with every member) and
   * `nodes` are complete only when every node fits one page (next_node_page_token empty).
   */
  'bucket_summaries'?: (_hostpilot_v1_RolloutBucketSummary)[];
  'bucket_summaries_from'?: (number);
  /**
   * Nodes per phase in the whole rollout.
   */
  'node_counts'?: (_hostpilot_v1_RolloutNodeCounts | null);
  /**
   * Non-empty: `nodes` is one page; pass this as node_page_token for the next.
   */
  'next_node_page_token'?: (string);
  'total_nodes'?: (number);
  'bucket_count'?: (number);
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
  /**
   * Why nothing moves now, for a person (window, budget holders, pause reason, settle, health wait).
   */
  'message': (string);
  /**
   * Per pool, the nodes that take its budget now.
   */
  'budgets': (_hostpilot_v1_PoolBudget__Output)[];
  /**
   * Nodes per phase in each bucket, for a window of at most 1000 buckets starting at
   * bucket_summaries_from (10 before the current one). `buckets` (with every member) and
   * `nodes` are complete only when every node fits one page (next_node_page_token empty).
   */
  'bucket_summaries': (_hostpilot_v1_RolloutBucketSummary__Output)[];
  'bucket_summaries_from': (number);
  /**
   * Nodes per phase in the whole rollout.
   */
  'node_counts': (_hostpilot_v1_RolloutNodeCounts__Output | null);
  /**
   * Non-empty: `nodes` is one page; pass this as node_page_token for the next.
   */
  'next_node_page_token': (string);
  'total_nodes': (number);
  'bucket_count': (number);
}
