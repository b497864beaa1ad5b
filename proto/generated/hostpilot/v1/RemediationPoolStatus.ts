// Original file: proto/hostpilot/v1/remediation.proto


export interface RemediationPoolStatus {
  'pool'?: (string);
  'paused'?: (boolean);
  'storm'?: (boolean);
}

export interface RemediationPoolStatus__Output {
  'pool': (string);
  'paused': (boolean);
  'storm': (boolean);
}
