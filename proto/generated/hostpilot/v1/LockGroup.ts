// Original file: proto/hostpilot/v1/locks.proto

import type { LockHolder as _hostpilot_v1_LockHolder, LockHolder__Output as _hostpilot_v1_LockHolder__Output } from '../../hostpilot/v1/LockHolder.js';

export interface LockGroup {
  'name'?: (string);
  'slots'?: (number);
  'holders'?: (_hostpilot_v1_LockHolder)[];
}

export interface LockGroup__Output {
  'name': (string);
  'slots': (number);
  'holders': (_hostpilot_v1_LockHolder__Output)[];
}
