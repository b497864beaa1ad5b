// Original file: proto/hostpilot/v1/configs.proto

import type { Long } from '@grpc/proto-loader';

export interface RenderedConfigReply {
  'pool'?: (string);
  /**
   * "sha256:<hex>" of the rendered config's canonical JSON; empty: no NodeConfig selects the pool.
   */
  'hash'?: (string);
  /**
   * common/api/node-config.ts RenderedConfig as JSON; empty with an empty hash.
   */
  'rendered_json'?: (string);
  /**
   * Earlier targets of the pool, oldest first (kept for rollbacks).
   */
  'history'?: (string)[];
  'updated_unix_ms'?: (number | string | Long);
}

export interface RenderedConfigReply__Output {
  'pool': (string);
  /**
   * "sha256:<hex>" of the rendered config's canonical JSON; empty: no NodeConfig selects the pool.
   */
  'hash': (string);
  /**
   * common/api/node-config.ts RenderedConfig as JSON; empty with an empty hash.
   */
  'rendered_json': (string);
  /**
   * Earlier targets of the pool, oldest first (kept for rollbacks).
   */
  'history': (string)[];
  'updated_unix_ms': (number);
}
