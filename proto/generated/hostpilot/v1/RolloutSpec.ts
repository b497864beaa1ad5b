// Original file: proto/hostpilot/v1/rollouts.proto

import type { Long } from '@grpc/proto-loader';

export interface RolloutSpec {
  /**
   * 1-63 of [a-z0-9-]; empty: the coordinator names it.
   */
  'id'?: (string);
  /**
   * A version, a checksum (or prefix of at least 7) or a refspec.
   */
  'target'?: (string);
  /**
   * Label key -> accepted values, comma-separated ("pool" -> "workers"; "rack" -> "r1,r2").
   */
  'selector'?: ({[key: string]: string});
  /**
   * "by-label:rack" (one rack at a time), "size:N" or "percent:P".
   */
  'strategy'?: (string);
  /**
   * "N" or "P%" of each pool, rounded down with a floor of 1 [1].
   */
  'max_unavailable'?: (string);
  /**
   * The label that names a node's pool [pool].
   */
  'pool_label'?: (string);
  /**
   * Reboot windows, e.g. "Mon-Fri 02:00-05:00 Europe/Berlin"; none: any time.
   */
  'windows'?: (string)[];
  'settle_ms'?: (number | string | Long);
  /**
   * A started node must report steady on the target within this [30m].
   */
  'health_timeout_ms'?: (number | string | Long);
  /**
   * Pause after this many failed nodes [1].
   */
  'pause_after_failures'?: (number);
  /**
   * On that pause, send the nodes already moved back to their previous version.
   */
  'rollback_on_failure'?: (boolean);
  /**
   * The reboot-lock group whose holders count against the budget [default].
   */
  'lock_group'?: (string);
  /**
   * 13-19: left for the fleet-scale work.
   * A rendered NodeConfig to roll out with (or instead of) the OS target: the pool
   * whose config it is (its nodes only), and its hash, pinned at creation from the
   * pool's current rendered config (empty on Create: the coordinator pins it).
   */
  'config_pool'?: (string);
  'config_hash'?: (string);
}

export interface RolloutSpec__Output {
  /**
   * 1-63 of [a-z0-9-]; empty: the coordinator names it.
   */
  'id': (string);
  /**
   * A version, a checksum (or prefix of at least 7) or a refspec.
   */
  'target': (string);
  /**
   * Label key -> accepted values, comma-separated ("pool" -> "workers"; "rack" -> "r1,r2").
   */
  'selector': ({[key: string]: string});
  /**
   * "by-label:rack" (one rack at a time), "size:N" or "percent:P".
   */
  'strategy': (string);
  /**
   * "N" or "P%" of each pool, rounded down with a floor of 1 [1].
   */
  'max_unavailable': (string);
  /**
   * The label that names a node's pool [pool].
   */
  'pool_label': (string);
  /**
   * Reboot windows, e.g. "Mon-Fri 02:00-05:00 Europe/Berlin"; none: any time.
   */
  'windows': (string)[];
  'settle_ms': (number);
  /**
   * A started node must report steady on the target within this [30m].
   */
  'health_timeout_ms': (number);
  /**
   * Pause after this many failed nodes [1].
   */
  'pause_after_failures': (number);
  /**
   * On that pause, send the nodes already moved back to their previous version.
   */
  'rollback_on_failure': (boolean);
  /**
   * The reboot-lock group whose holders count against the budget [default].
   */
  'lock_group': (string);
  /**
   * 13-19: left for the fleet-scale work.
   * A rendered NodeConfig to roll out with (or instead of) the OS target: the pool
   * whose config it is (its nodes only), and its hash, pinned at creation from the
   * pool's current rendered config (empty on Create: the coordinator pins it).
   */
  'config_pool': (string);
  'config_hash': (string);
}
