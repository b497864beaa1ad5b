// Original file: proto/hostpilot/v1/locks.proto


export interface LockRequest {
  'node_id'?: (string);
  'group'?: (string);
}

export interface LockRequest__Output {
  'node_id': (string);
  'group': (string);
}
