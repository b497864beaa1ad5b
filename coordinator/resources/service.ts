// Applies, lists and deletes declared resources. A set of documents is
// checked as a whole before anything changes (validation and refused unsafe
// changes alike); then deletions (pruned or asked for) go first, newest kinds
// first, and creations and changes follow in kind order. One apply at a time
// in this process, so `hostpilotctl apply` and a git sync never interleave.
import { Gauge, type Registry } from 'prom-client';
import { KINDS, kindDef, resolveKind, sameJson, sortForApply, specChanges, validateDocument, type Resource, type Spec } from '../../common/api/resources.js';
import { FailedPreconditionError, HostpilotError, InvalidArgumentError, NotFoundError } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import type { Store } from '../store/store.js';
import type { KindHandler } from './handler.js';
import { kindPrefix, resourceKey, type ManagedBy, type StoredResource } from './stored.js';

export type ChangeAction = 'created' | 'configured' | 'unchanged' | 'deleted' | 'not-found';

export interface ResourceChange {
  kind: string;
  name: string;
  action: ChangeAction;
  changes: string[];
}

export interface ApplyOptions {
  managedBy: ManagedBy;
  dryRun?: boolean;
  /** Also delete the objects this manager created earlier that the set no longer has (a git source). */
  prune?: boolean;
}

/** A document as listed: the resource, server metadata and its status. */
export interface ListedResource {
  apiVersion: string;
  kind: string;
  metadata: Record<string, unknown> & { name: string };
  spec: Spec;
  status?: Record<string, unknown>;
}

interface Planned {
  resource: Resource;
  where: string;
  stored: StoredResource | undefined;
  from: Spec | undefined;
  change: ResourceChange;
}

export class ResourceService {
  private readonly handlers: Map<string, KindHandler>;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly gauge: Gauge<'kind'>;

  constructor(
    private readonly store: Store,
    handlers: KindHandler[],
    registry: Registry,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.handlers = new Map(handlers.map((h) => [h.kind, h]));
    for (const k of KINDS) if (!this.handlers.has(k.kind)) throw new Error(`resources: no handler for kind ${k.kind}`);
    this.gauge = new Gauge({ name: 'hostpilot_resources', help: 'Declared resources in force, by kind.', labelNames: ['kind'], registers: [registry] });
    for (const k of KINDS) this.gauge.set({ kind: k.kind }, 0);
  }

  /** Loads what other replicas (or an earlier run) declared; also run periodically. */
  async refresh(): Promise<void> {
    for (const h of this.handlers.values()) await h.changed?.();
    for (const k of KINDS) this.gauge.set({ kind: k.kind }, (await this.docs(k.kind)).length);
  }

  /** Validates raw documents (from the wire) and applies them as one set. */
  applyDocuments(docs: Array<{ where: string; raw: unknown }>, options: ApplyOptions): Promise<ResourceChange[]> {
    const located = docs.map(({ where, raw }) => ({ resource: validateDocument(raw, where), where }));
    return this.apply(located, options);
  }

  apply(located: Array<{ resource: Resource; where: string }>, options: ApplyOptions): Promise<ResourceChange[]> {
    return this.serial(() => this.applyNow(located, options));
  }

  delete(refs: Array<{ kind: string; name: string }>, dryRun = false): Promise<ResourceChange[]> {
    return this.serial(async () => {
      const changes: ResourceChange[] = [];
      const found: Array<{ kind: string; name: string; stored: StoredResource | undefined; current: Spec | undefined }> = [];
      for (const ref of refs) {
        const def = resolveKind(ref.kind);
        def.validateName(ref.name, 'name');
        const stored = await this.stored(def.kind, ref.name);
        const alive = stored && !stored.metadata.deletionTimestamp ? stored : undefined;
        const current = (await this.handler(def.kind).live(ref.name, stored)) ?? alive?.spec;
        if (current === undefined) {
          changes.push({ kind: def.kind, name: ref.name, action: 'not-found', changes: [] });
          continue;
        }
        found.push({ kind: def.kind, name: ref.name, stored, current });
        changes.push({ kind: def.kind, name: ref.name, action: 'deleted', changes: [] });
      }
      if (!dryRun) {
        for (const f of sortForApply(found).reverse()) await this.remove(f.kind, f.name, f.stored, f.current);
        await this.afterChange(new Set(found.map((f) => f.kind)));
      }
      return changes;
    });
  }

  /** Every object of a kind (or one), with its status. */
  async get(kindText: string, name?: string): Promise<ListedResource[]> {
    const def = resolveKind(kindText);
    if (name !== undefined) def.validateName(name, 'name');
    const handler = this.handler(def.kind);
    const out: ListedResource[] = [];
    const docs = await this.docs(def.kind);
    const known = new Set(docs.map((d) => d.metadata.name));
    for (const d of docs) {
      if (name !== undefined && d.metadata.name !== name) continue;
      const spec = (await handler.live(d.metadata.name, d)) ?? d.spec;
      out.push(await this.listed(handler, d.kind, { ...d.metadata }, spec));
    }
    for (const i of await handler.implicit()) {
      if (known.has(i.name) || (name !== undefined && i.name !== name)) continue;
      out.push(await this.listed(handler, def.kind, { name: i.name, labels: {}, generation: 1, managedBy: i.managedBy }, i.spec));
    }
    if (name !== undefined && out.length === 0) throw new NotFoundError(`no ${def.kind} ${JSON.stringify(name)}`);
    return out.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  }

  private async listed(handler: KindHandler, kind: string, metadata: ListedResource['metadata'], spec: Spec): Promise<ListedResource> {
    const status = await handler.status(metadata.name, spec);
    return { apiVersion: 'hostpilot.io/v1', kind, metadata, spec, ...(status ? { status } : {}) };
  }

  private async applyNow(located: Array<{ resource: Resource; where: string }>, options: ApplyOptions): Promise<ResourceChange[]> {
    // 1. Plan every document, and refuse the whole set if any one is refused.
    const planned: Planned[] = [];
    for (const { resource, where } of located) {
      const handler = this.handler(resource.kind);
      const stored = await this.stored(resource.kind, resource.metadata.name);
      const live = await handler.live(resource.metadata.name, stored);
      const from = live ?? (stored && !stored.metadata.deletionTimestamp ? stored.spec : undefined);
      try {
        handler.check(resource.metadata.name, from, resource.spec);
        await handler.precheck?.(resource.metadata.name, resource.spec, from);
      } catch (err) {
        if (err instanceof HostpilotError) throw new FailedPreconditionError(`${where}: ${err.message}`);
        throw err;
      }
      const labelsFrom = stored && !stored.metadata.deletionTimestamp ? stored.metadata.labels : {};
      const changes = from === undefined ? [] : [...specChanges(from, resource.spec), ...(sameJson(labelsFrom, resource.metadata.labels) ? [] : ['metadata.labels'])];
      const action: ChangeAction = from === undefined ? 'created' : changes.length ? 'configured' : 'unchanged';
      planned.push({ resource, where, stored, from, change: { kind: resource.kind, name: resource.metadata.name, action, changes } });
    }
    const pruned: StoredResource[] = [];
    if (options.prune) {
      const keep = new Set(located.map(({ resource: r }) => `${r.kind}/${r.metadata.name}`));
      for (const k of KINDS) for (const d of await this.docs(k.kind)) if (d.metadata.managedBy === options.managedBy && !keep.has(`${d.kind}/${d.metadata.name}`)) pruned.push(d);
    }
    for (const [kind, handler] of this.handlers) {
      const items = planned.filter((p) => p.resource.kind === kind).map((p) => ({ name: p.resource.metadata.name, to: p.resource.spec, where: p.where }));
      const removed = pruned.filter((d) => d.kind === kind).map((d) => d.metadata.name);
      if (items.length || removed.length) await handler.precheckSet?.(items, removed);
    }
    const result = [...planned.map((p) => p.change), ...pruned.map((d) => ({ kind: d.kind, name: d.metadata.name, action: 'deleted' as const, changes: [] }))];
    if (options.dryRun) return result;

    // 2. Deletions first (a renamed rollout frees its nodes for the new name), then the rest in kind order.
    for (const d of sortForApply(pruned).reverse()) {
      await this.remove(d.kind, d.metadata.name, d, (await this.handler(d.kind).live(d.metadata.name, d)) ?? d.spec);
    }
    for (const p of sortForApply(planned.map((x) => ({ ...x, kind: x.resource.kind })))) {
      const { resource, stored, from, change } = p;
      const specChanged = from === undefined || !sameJson(from, resource.spec);
      if (specChanged) {
        await this.handler(resource.kind)
          .apply(resource.metadata.name, resource.spec, from)
          .catch((err: unknown) => {
            throw err instanceof HostpilotError ? new FailedPreconditionError(`${p.where}: ${err.message}`) : err;
          });
      }
      const alive = stored && !stored.metadata.deletionTimestamp ? stored : undefined;
      if (alive && change.action === 'unchanged' && alive.metadata.managedBy === options.managedBy && sameJson(alive.spec, resource.spec)) continue;
      const doc: StoredResource = {
        ...resource,
        metadata: {
          ...resource.metadata,
          generation: (alive?.metadata.generation ?? 0) + (alive && sameJson(alive.spec, resource.spec) ? 0 : 1),
          creationTimestamp: alive?.metadata.creationTimestamp ?? new Date(this.now()).toISOString(),
          managedBy: options.managedBy,
        },
      };
      await this.store.put(resourceKey(resource.kind, resource.metadata.name), doc);
      if (change.action !== 'unchanged') this.log.info(`resource ${change.action}`, { kind: resource.kind, name: resource.metadata.name, by: options.managedBy, changes: change.changes });
    }
    await this.afterChange(new Set([...planned.map((p) => p.resource.kind), ...pruned.map((d) => d.kind)]));
    return result;
  }

  private async remove(kind: string, name: string, stored: StoredResource | undefined, current: Spec | undefined): Promise<void> {
    await this.handler(kind).remove(name, current);
    const now = new Date(this.now()).toISOString();
    const tombstone: StoredResource = stored
      ? { ...stored, metadata: { ...stored.metadata, deletionTimestamp: now } }
      : { apiVersion: 'hostpilot.io/v1', kind, metadata: { name, labels: {}, generation: 1, creationTimestamp: now, managedBy: 'apply', deletionTimestamp: now }, spec: current ?? {} };
    await this.store.put(resourceKey(kind, name), tombstone);
    this.log.info('resource deleted', { kind, name });
  }

  private async afterChange(kinds: Set<string>): Promise<void> {
    for (const kind of kinds) await this.handler(kind).changed?.();
    for (const k of KINDS) this.gauge.set({ kind: k.kind }, (await this.docs(k.kind)).length);
  }

  private async docs(kind: string): Promise<StoredResource[]> {
    return (await this.store.list<StoredResource>(kindPrefix(kind))).map((e) => e.value).filter((d) => !d.metadata.deletionTimestamp);
  }

  private stored(kind: string, name: string): Promise<StoredResource | undefined> {
    return this.store.get<StoredResource>(resourceKey(kind, name));
  }

  private handler(kind: string): KindHandler {
    const h = this.handlers.get(kindDef(kind).kind);
    if (!h) throw new InvalidArgumentError('kind', `${kind} has no handler`);
    return h;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
