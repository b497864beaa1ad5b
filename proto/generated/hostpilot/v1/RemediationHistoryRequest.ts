// Original file: proto/hostpilot/v1/remediation.proto


export interface RemediationHistoryRequest {
  'node_id'?: (string);
}

export interface RemediationHistoryRequest__Output {
  'node_id': (string);
}
