// Original file: proto/hostpilot/v1/fleet.proto


export interface NodeRef {
  'node_id'?: (string);
}

export interface NodeRef__Output {
  'node_id': (string);
}
