// Original file: proto/hostpilot/v1/remediation.proto

import type { RemediationEntry as _hostpilot_v1_RemediationEntry, RemediationEntry__Output as _hostpilot_v1_RemediationEntry__Output } from '../../hostpilot/v1/RemediationEntry.js';

export interface ListRemediationsReply {
  'remediations'?: (_hostpilot_v1_RemediationEntry)[];
}

export interface ListRemediationsReply__Output {
  'remediations': (_hostpilot_v1_RemediationEntry__Output)[];
}
