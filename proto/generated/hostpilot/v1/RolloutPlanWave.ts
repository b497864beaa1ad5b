// Original file: proto/hostpilot/v1/rollouts.proto


export interface RolloutPlanWave {
  'node_ids'?: (string)[];
}

export interface RolloutPlanWave__Output {
  'node_ids': (string)[];
}
