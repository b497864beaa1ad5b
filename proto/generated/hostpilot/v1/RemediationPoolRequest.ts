// Original file: proto/hostpilot/v1/remediation.proto


export interface RemediationPoolRequest {
  'pool'?: (string);
}

export interface RemediationPoolRequest__Output {
  'pool': (string);
}
