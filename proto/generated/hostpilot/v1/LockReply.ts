// Original file: proto/hostpilot/v1/locks.proto


export interface LockReply {
  'granted'?: (boolean);
  'holders'?: (string)[];
  'reason'?: (string);
}

export interface LockReply__Output {
  'granted': (boolean);
  'holders': (string)[];
  'reason': (string);
}
