// Original file: proto/hostpilot/v1/rollouts.proto


export interface RolloutBucket {
  'name'?: (string);
  'node_ids'?: (string)[];
}

export interface RolloutBucket__Output {
  'name': (string);
  'node_ids': (string)[];
}
