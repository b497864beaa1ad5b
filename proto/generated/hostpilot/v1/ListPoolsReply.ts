// Original file: proto/hostpilot/v1/fleet.proto

import type { PoolStatus as _hostpilot_v1_PoolStatus, PoolStatus__Output as _hostpilot_v1_PoolStatus__Output } from '../../hostpilot/v1/PoolStatus.js';

export interface ListPoolsReply {
  'pools'?: (_hostpilot_v1_PoolStatus)[];
}

export interface ListPoolsReply__Output {
  'pools': (_hostpilot_v1_PoolStatus__Output)[];
}
