// Original file: proto/hostpilot/v1/rollouts.proto

import type { RolloutStatus as _hostpilot_v1_RolloutStatus, RolloutStatus__Output as _hostpilot_v1_RolloutStatus__Output } from '../../hostpilot/v1/RolloutStatus.js';

export interface ListRolloutsReply {
  'rollouts'?: (_hostpilot_v1_RolloutStatus)[];
}

export interface ListRolloutsReply__Output {
  'rollouts': (_hostpilot_v1_RolloutStatus__Output)[];
}
