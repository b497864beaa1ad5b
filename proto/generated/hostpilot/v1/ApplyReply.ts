// Original file: proto/hostpilot/v1/resources.proto

import type { ResourceChange as _hostpilot_v1_ResourceChange, ResourceChange__Output as _hostpilot_v1_ResourceChange__Output } from '../../hostpilot/v1/ResourceChange.js';

export interface ApplyReply {
  'changes'?: (_hostpilot_v1_ResourceChange)[];
}

export interface ApplyReply__Output {
  'changes': (_hostpilot_v1_ResourceChange__Output)[];
}
