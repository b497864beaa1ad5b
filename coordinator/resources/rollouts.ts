// Rollout resources over the rollout controller: the rollout's head
// (rollouts/<id>, rollout/layout.ts) is what is in force; the resource adds metadata. Only safe
// fields change once a rollout runs; a deleted Rollout ends like an abort.
import { ROLLOUT_SAFE_FIELDS, rolloutSpecOf, toResourceSpec } from '../../common/api/kinds/rollout.js';
import { sameJson, type Spec } from '../../common/api/resources.js';
import { FailedPreconditionError } from '../../common/errors.js';
import type { RolloutController } from '../rollout/controller.js';
import { deleteStored, readHead } from '../rollout/layout.js';
import type { RolloutHead } from '../rollout/types.js';
import type { Store } from '../store/store.js';
import type { KindHandler } from './handler.js';
import { kindPrefix, type StoredResource } from './stored.js';

const TERMINAL = new Set(['completed', 'aborted']);

export class RolloutResources implements KindHandler {
  readonly kind = 'Rollout';

  constructor(
    private readonly store: Store,
    private readonly rollouts: RolloutController,
  ) {}

  private record(name: string): Promise<RolloutHead | undefined> {
    return readHead(this.store, name);
  }

  async live(name: string, stored: StoredResource | undefined): Promise<Spec | undefined> {
    const r = await this.record(name);
    if (!r) return undefined;
    // The record of a deleted Rollout is history: applying the name again starts a new one.
    if (stored?.metadata.deletionTimestamp && TERMINAL.has(r.phase)) return undefined;
    // A finished rollout cannot be paused: its `paused` is what was last declared.
    const paused = TERMINAL.has(r.phase) ? stored?.spec.paused === true : r.phase === 'paused' && r.pausedBy === 'operator';
    return toResourceSpec(r.spec, paused);
  }

  async implicit(): Promise<Array<{ name: string; spec: Spec; managedBy: string }>> {
    const deleted = new Set((await this.store.list<StoredResource>(kindPrefix(this.kind))).filter((e) => e.value.metadata.deletionTimestamp).map((e) => e.value.metadata.name));
    return (await this.rollouts.list()).filter((r) => !deleted.has(r.spec.id)).map((r) => ({ name: r.spec.id, spec: toResourceSpec(r.spec, r.phase === 'paused' && r.pausedBy === 'operator'), managedBy: 'rollout create' }));
  }

  check(name: string, from: Spec | undefined, to: Spec): void {
    if (!from) return;
    const unsafe = Object.keys({ ...from, ...to }).filter((k) => !(ROLLOUT_SAFE_FIELDS as readonly string[]).includes(k) && !sameJson(from[k], to[k]));
    if (unsafe.length === 0) return;
    const what = unsafe.map((k) => `spec.${k} (${JSON.stringify(from[k])} -> ${JSON.stringify(to[k])})`).join(', ');
    throw new FailedPreconditionError(
      `Rollout ${JSON.stringify(name)} has started: ${what} cannot change (only ${ROLLOUT_SAFE_FIELDS.join(', ')} can); delete it, or apply it under a new name`,
    );
  }

  async precheck(name: string, to: Spec, from: Spec | undefined): Promise<void> {
    // A new rollout must pick nodes now (as `rollout create` must): the dry run refuses it otherwise.
    if (!from) await this.rollouts.dryRun(rolloutSpecOf(name, to));
  }

  async apply(name: string, to: Spec, from: Spec | undefined): Promise<void> {
    const spec = rolloutSpecOf(name, to);
    if (!from) {
      // The name of a rollout deleted earlier (its record ended, kept for history) starts afresh.
      const old = await this.record(name);
      if (old && TERMINAL.has(old.phase)) await deleteStored(this.store, name);
      await this.rollouts.create(spec);
      if (to.paused === true) await this.rollouts.pause(name);
      return;
    }
    const { paused: _a, ...restFrom } = from;
    const { paused: _b, ...restTo } = to;
    if (!sameJson(restFrom, restTo)) await this.rollouts.amend(name, (r, now) => ({ ...r, spec, updatedAt: now }));
    const r = await this.record(name);
    if (!r || TERMINAL.has(r.phase)) return;
    if (to.paused === true && from.paused !== true) await this.rollouts.pause(name);
    if (to.paused !== true && from.paused === true) await this.rollouts.resume(name);
  }

  async remove(name: string): Promise<void> {
    const r = await this.record(name);
    if (r && !TERMINAL.has(r.phase)) await this.rollouts.abort(name);
  }

  async status(name: string): Promise<Record<string, unknown> | undefined> {
    const r = await this.record(name);
    if (!r) return undefined;
    const c = r.counts;
    return {
      phase: r.phase,
      ...(r.reason ? { reason: r.reason } : {}),
      ...(r.pausedBy ? { pausedBy: r.pausedBy } : {}),
      bucket: r.bucketName,
      buckets: r.bucketCount,
      nodes: { total: Object.values(c).reduce((a, b) => a + b, 0), done: c.done, updating: c.updating + c.reverting, failed: c.failed, waiting: c.waiting },
      updated: new Date(r.updatedAt).toISOString(),
    };
  }
}
