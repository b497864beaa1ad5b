// LockGroup resources: stored documents the lock service reads as its groups.
// A --group flag is the default: it shows as an object managed by "flags"
// until a resource of the same name overrides it (deleting that resource
// brings the flag's slots back).
import { parseDuration } from '../../common/duration.js';
import type { Spec } from '../../common/api/resources.js';
import type { DeclaredGroup, LockService } from '../locks/lock-service.js';
import type { Store } from '../store/store.js';
import type { KindHandler } from './handler.js';
import { kindPrefix, type StoredResource } from './stored.js';

export class LockGroupResources implements KindHandler {
  readonly kind = 'LockGroup';

  constructor(
    private readonly store: Store,
    private readonly locks: LockService,
  ) {}

  async live(): Promise<Spec | undefined> {
    return undefined;
  }

  async implicit(): Promise<Array<{ name: string; spec: Spec; managedBy: string }>> {
    return [...this.locks.flagGroups()].map(([name, slots]) => ({ name, spec: { slots }, managedBy: 'flags' }));
  }

  check(): void {}

  async apply(): Promise<void> {}

  async remove(): Promise<void> {}

  async status(name: string): Promise<Record<string, unknown>> {
    const [view] = await this.locks.list(name);
    return { slots: view?.slots ?? 0, holders: view?.holders.length ?? 0, holderIds: view?.holders.map((h) => h.nodeId) ?? [] };
  }

  /** Reads the declared groups from the store (every replica: a group applied on one is used by all). */
  async changed(): Promise<void> {
    const groups = new Map<string, DeclaredGroup>();
    for (const { value } of await this.store.list<StoredResource>(kindPrefix(this.kind))) {
      if (value.metadata.deletionTimestamp) continue;
      const ttl = value.spec.ttl;
      groups.set(value.metadata.name, { slots: Number(value.spec.slots), ...(typeof ttl === 'string' ? { ttlMs: parseDuration(ttl, 'spec.ttl') } : {}) });
    }
    this.locks.setDeclaredGroups(groups);
  }
}
