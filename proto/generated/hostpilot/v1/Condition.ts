// Original file: proto/hostpilot/v1/fleet.proto

import type { Long } from '@grpc/proto-loader';

export interface Condition {
  'type'?: (string);
  'status'?: (boolean);
  'reason'?: (string);
  'message'?: (string);
  'transition_unix_ms'?: (number | string | Long);
}

export interface Condition__Output {
  'type': (string);
  'status': (boolean);
  'reason': (string);
  'message': (string);
  'transition_unix_ms': (number);
}
