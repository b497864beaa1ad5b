// Original file: proto/hostpilot/v1/fleet.proto


export interface DesiredConfig {
  /**
   * "sha256:<hex>" of the rendered config; empty: no NodeConfig selects this node
   * (the agent stops managing what it managed, and leaves the files in place).
   */
  'hash'?: (string);
  /**
   * The rendered config (common/api/node-config.ts RenderedConfig) as JSON.
   */
  'rendered_json'?: (string);
  /**
   * none | restart-units | reboot: what applying it takes (a reboot goes through the lock).
   */
  'disruption'?: (string);
  /**
   * Which rollout asked for it, if any.
   */
  'rollout_id'?: (string);
}

export interface DesiredConfig__Output {
  /**
   * "sha256:<hex>" of the rendered config; empty: no NodeConfig selects this node
   * (the agent stops managing what it managed, and leaves the files in place).
   */
  'hash': (string);
  /**
   * The rendered config (common/api/node-config.ts RenderedConfig) as JSON.
   */
  'rendered_json': (string);
  /**
   * none | restart-units | reboot: what applying it takes (a reboot goes through the lock).
   */
  'disruption': (string);
  /**
   * Which rollout asked for it, if any.
   */
  'rollout_id': (string);
}
