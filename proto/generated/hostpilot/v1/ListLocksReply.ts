// Original file: proto/hostpilot/v1/locks.proto

import type { LockGroup as _hostpilot_v1_LockGroup, LockGroup__Output as _hostpilot_v1_LockGroup__Output } from '../../hostpilot/v1/LockGroup.js';

export interface ListLocksReply {
  'groups'?: (_hostpilot_v1_LockGroup)[];
}

export interface ListLocksReply__Output {
  'groups': (_hostpilot_v1_LockGroup__Output)[];
}
