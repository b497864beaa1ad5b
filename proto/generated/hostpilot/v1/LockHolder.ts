// Original file: proto/hostpilot/v1/locks.proto

import type { Long } from '@grpc/proto-loader';

export interface LockHolder {
  'node_id'?: (string);
  'since_unix_ms'?: (number | string | Long);
  /**
   * 0: the slot never expires (the default, as airlock and locksmith do).
   */
  'expires_unix_ms'?: (number | string | Long);
  /**
   * Which API took it: "grpc", "fleetlock".
   */
  'via'?: (string);
}

export interface LockHolder__Output {
  'node_id': (string);
  'since_unix_ms': (number);
  /**
   * 0: the slot never expires (the default, as airlock and locksmith do).
   */
  'expires_unix_ms': (number);
  /**
   * Which API took it: "grpc", "fleetlock".
   */
  'via': (string);
}
