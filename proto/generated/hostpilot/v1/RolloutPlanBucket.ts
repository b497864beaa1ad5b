// Original file: proto/hostpilot/v1/rollouts.proto

import type { RolloutPlanWave as _hostpilot_v1_RolloutPlanWave, RolloutPlanWave__Output as _hostpilot_v1_RolloutPlanWave__Output } from '../../hostpilot/v1/RolloutPlanWave.js';

export interface RolloutPlanBucket {
  'name'?: (string);
  'waves'?: (_hostpilot_v1_RolloutPlanWave)[];
  /**
   * Nodes that run the target already: done without a reboot.
   */
  'already_done'?: (string)[];
  'excluded'?: (string)[];
}

export interface RolloutPlanBucket__Output {
  'name': (string);
  'waves': (_hostpilot_v1_RolloutPlanWave__Output)[];
  /**
   * Nodes that run the target already: done without a reboot.
   */
  'already_done': (string)[];
  'excluded': (string)[];
}
