// Original file: proto/hostpilot/v1/remediation.proto

import type { Long } from '@grpc/proto-loader';

export interface RemediationHistoryEntry {
  'at_unix_ms'?: (number | string | Long);
  'episode'?: (number);
  /**
   * started | step | escalated | repaired | rate-limited | needs-reprovision | abandoned
   */
  'event'?: (string);
  'action'?: (string);
  'order_id'?: (string);
  'message'?: (string);
}

export interface RemediationHistoryEntry__Output {
  'at_unix_ms': (number);
  'episode': (number);
  /**
   * started | step | escalated | repaired | rate-limited | needs-reprovision | abandoned
   */
  'event': (string);
  'action': (string);
  'order_id': (string);
  'message': (string);
}
