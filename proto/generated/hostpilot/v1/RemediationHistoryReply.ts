// Original file: proto/hostpilot/v1/remediation.proto

import type { RemediationEntry as _hostpilot_v1_RemediationEntry, RemediationEntry__Output as _hostpilot_v1_RemediationEntry__Output } from '../../hostpilot/v1/RemediationEntry.js';
import type { RemediationHistoryEntry as _hostpilot_v1_RemediationHistoryEntry, RemediationHistoryEntry__Output as _hostpilot_v1_RemediationHistoryEntry__Output } from '../../hostpilot/v1/RemediationHistoryEntry.js';
import type { Long } from '@grpc/proto-loader';

export interface RemediationHistoryReply {
  'node_id'?: (string);
  /**
   * The remediation under way, if any (same shape as List's).
   */
  'active'?: (_hostpilot_v1_RemediationEntry | null);
  'history'?: (_hostpilot_v1_RemediationHistoryEntry)[];
  /**
   * Reboots ordered within the policy's rate-limit window.
   */
  'reboots_unix_ms'?: (number | string | Long)[];
  'needs_reprovision'?: (boolean);
}

export interface RemediationHistoryReply__Output {
  'node_id': (string);
  /**
   * The remediation under way, if any (same shape as List's).
   */
  'active': (_hostpilot_v1_RemediationEntry__Output | null);
  'history': (_hostpilot_v1_RemediationHistoryEntry__Output)[];
  /**
   * Reboots ordered within the policy's rate-limit window.
   */
  'reboots_unix_ms': (number)[];
  'needs_reprovision': (boolean);
}
