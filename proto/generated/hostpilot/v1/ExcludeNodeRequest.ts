// Original file: proto/hostpilot/v1/fleet.proto


export interface ExcludeNodeRequest {
  'node_id'?: (string);
  'reason'?: (string);
}

export interface ExcludeNodeRequest__Output {
  'node_id': (string);
  'reason': (string);
}
