// Original file: proto/hostpilot/v1/resources.proto

import type { Long } from '@grpc/proto-loader';

export interface GitStatusReply {
  /**
   * Empty url: no git source configured.
   */
  'url'?: (string);
  'ref'?: (string);
  'path'?: (string);
  /**
   * REF@sha1:<40 hex>
   */
  'last_attempted_revision'?: (string);
  'last_applied_revision'?: (string);
  'ready'?: (boolean);
  'message'?: (string);
  'suspended'?: (boolean);
  'last_applied_unix_ms'?: (number | string | Long);
}

export interface GitStatusReply__Output {
  /**
   * Empty url: no git source configured.
   */
  'url': (string);
  'ref': (string);
  'path': (string);
  /**
   * REF@sha1:<40 hex>
   */
  'last_attempted_revision': (string);
  'last_applied_revision': (string);
  'ready': (boolean);
  'message': (string);
  'suspended': (boolean);
  'last_applied_unix_ms': (number);
}
