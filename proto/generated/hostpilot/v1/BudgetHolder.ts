// Original file: proto/hostpilot/v1/fleet.proto

import type { Long } from '@grpc/proto-loader';

/**
 * One node that takes a place of its pool's disruption budget, and why.
 */
export interface BudgetHolder {
  'node_id'?: (string);
  /**
   * "holds a reboot lock", "updating (rollout r1)", "degraded", "unreachable", ...
   */
  'why'?: (string);
  /**
   * 0: not known.
   */
  'since_unix_ms'?: (number | string | Long);
}

/**
 * One node that takes a place of its pool's disruption budget, and why.
 */
export interface BudgetHolder__Output {
  'node_id': (string);
  /**
   * "holds a reboot lock", "updating (rollout r1)", "degraded", "unreachable", ...
   */
  'why': (string);
  /**
   * 0: not known.
   */
  'since_unix_ms': (number);
}
