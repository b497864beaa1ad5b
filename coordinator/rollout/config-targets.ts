// What the rollout controller needs from the rendered node configs
// (coordinator/configs): a rollout that carries a config pins its pool's
// rendered hash when it is created, and tells each node it starts (or rolls
// back) to converge to a hash.
export interface RolloutConfigs {
  /** The pool's current rendered config hash ('' when no NodeConfig selects the pool). */
  pin(pool: string): Promise<string>;
  /** Tells a node to converge to `hash` for `rolloutId`; `fromHash` is what it has applied (the disruption is computed from both). */
  desire(nodeId: string, hash: string, fromHash: string, rolloutId: string): Promise<void>;
  /** Pool -> its rendered config hash now (what `pools list` shows as the pool's config target). */
  targets(): Promise<Map<string, string>>;
}
