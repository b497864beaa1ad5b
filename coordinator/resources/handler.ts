// What the resource service needs from each kind on the coordinator side:
// where the object lives when it is in force, and how to change it. One
// implementation per kind (lock-groups.ts, rollouts.ts).
import type { Spec } from '../../common/api/resources.js';
import type { StoredResource } from './stored.js';

export interface KindHandler {
  readonly kind: string;
  /**
   * The spec in force now when the kind keeps its own state (a rollout's record),
   * in canonical form; undefined: absent, or only the stored document knows it.
   */
  live(name: string, stored: StoredResource | undefined): Promise<Spec | undefined>;
  /** Objects in force without a live resource document (a rollout created by `rollout create`, a --group flag). */
  implicit(): Promise<Array<{ name: string; spec: Spec; managedBy: string }>>;
  /** Throws a FailedPreconditionError when going from `from` to `to` is not allowed. */
  check(name: string, from: Spec | undefined, to: Spec): void;
  /**
   * Refuses what the fleet as it is now would refuse (a new Rollout whose selector picks no
   * node), before any document of the set is applied: a set is applied whole or not at all.
   */
  precheck?(name: string, to: Spec, from: Spec | undefined): Promise<void>;
  /**
   * Refuses what the documents of this kind in one set would cause together (two NodeConfigs
   * that conflict), before any document of the set is applied. `removed`: names the set deletes
   * (pruned by a git source). Errors name the document (`where`).
   */
  precheckSet?(items: ReadonlyArray<{ name: string; to: Spec; where: string }>, removed: readonly string[]): Promise<void>;
  apply(name: string, to: Spec, from: Spec | undefined): Promise<void>;
  remove(name: string, current: Spec | undefined): Promise<void>;
  status(name: string, spec: Spec): Promise<Record<string, unknown> | undefined>;
  /** Called after documents of this kind changed (the lock service learns its groups). */
  changed?(): Promise<void>;
}
