// Original file: proto/hostpilot/v1/rollouts.proto


export interface RolloutRef {
  'id'?: (string);
}

export interface RolloutRef__Output {
  'id': (string);
}
