// Original file: proto/hostpilot/v1/fleet.proto

import type { Long } from '@grpc/proto-loader';

export interface RemediationResult {
  /**
   * The order's id.
   */
  'id'?: (string);
  'action'?: (string);
  /**
   * running | succeeded | failed
   */
  'state'?: (string);
  'message'?: (string);
  /**
   * 0 while running.
   */
  'finished_unix_ms'?: (number | string | Long);
}

export interface RemediationResult__Output {
  /**
   * The order's id.
   */
  'id': (string);
  'action': (string);
  /**
   * running | succeeded | failed
   */
  'state': (string);
  'message': (string);
  /**
   * 0 while running.
   */
  'finished_unix_ms': (number);
}
