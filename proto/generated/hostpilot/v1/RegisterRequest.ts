// Original file: proto/hostpilot/v1/fleet.proto

import type { OsFacts as _hostpilot_v1_OsFacts, OsFacts__Output as _hostpilot_v1_OsFacts__Output } from '../../hostpilot/v1/OsFacts.js';

export interface RegisterRequest {
  'node_id'?: (string);
  'hostname'?: (string);
  'labels'?: ({[key: string]: string});
  'os'?: (_hostpilot_v1_OsFacts | null);
  'agent_version'?: (string);
}

export interface RegisterRequest__Output {
  'node_id': (string);
  'hostname': (string);
  'labels': ({[key: string]: string});
  'os': (_hostpilot_v1_OsFacts__Output | null);
  'agent_version': (string);
}
