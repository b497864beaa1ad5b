// Original file: proto/hostpilot/v1/rollouts.proto


export interface RolloutNodeCounts {
  'waiting'?: (number);
  'updating'?: (number);
  'done'?: (number);
  'failed'?: (number);
  'reverting'?: (number);
  'skipped'?: (number);
}

export interface RolloutNodeCounts__Output {
  'waiting': (number);
  'updating': (number);
  'done': (number);
  'failed': (number);
  'reverting': (number);
  'skipped': (number);
}
