// The rendered node configs: each pool's current rendered config (its
// target), kept by hash so a rollout can roll a node back to the one it had.
// Store layout: configs/pools/<pool> -> PoolConfig (the target and the ones
// before it), configs/rendered/<hex> -> StoredRendered. A rendered config is
// immutable (its key is its hash); the ones no pool's history and no node
// names are deleted, so the store holds a bounded number.
//
// Nodes converge to a new rendered config only through a rollout
// (coordinator/rollout), like an OS target; a node the coordinator has never
// seen gets its pool's current config at once.
import { CONFIG_POOL_LABEL, type NodeConfigSpec } from '../../common/api/kinds/node-config.js';
import { canonicalJson } from '../../common/api/fields.js';
import { renderedHash, type RenderedConfig } from '../../common/api/node-config.js';
import { FailedPreconditionError, HostpilotError } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import type { Directive } from '../../proto/generated/hostpilot/v1/Directive.js';
import type { DesiredConfigRef } from '../fleet/node-record.js';
import type { FleetRegistry, NodeView } from '../fleet/registry.js';
import { kindPrefix, type StoredResource } from '../resources/stored.js';
import type { RolloutConfigs } from '../rollout/config-targets.js';
import type { Store } from '../store/store.js';
import { disruptionOf } from './disruption.js';
import { ConfigConflictError, poolsNamed, renderPool, type NamedConfig } from './render.js';

export interface PoolConfig {
  pool: string;
  /** The current rendered hash; '' when no NodeConfig selects the pool. */
  hash: string;
  /** Earlier targets, oldest first (at most HISTORY). */
  history: string[];
  updatedAt: number;
}

export interface StoredRendered {
  hash: string;
  config: RenderedConfig;
  createdAt: number;
}

/** Earlier rendered configs kept per pool (a rollback sends a node the one it had). */
export const HISTORY = 10;
const CACHE = 256;

const poolKey = (pool: string) => `configs/pools/${pool}`;
const renderedKey = (hash: string) => `configs/rendered/${hash.replace(/^sha256:/, '')}`;

export class ConfigService implements RolloutConfigs {
  /** Rendered configs by hash: immutable, so a cache never goes stale. */
  private readonly cache = new Map<string, RenderedConfig>();
  /** What the last sync rendered from (see sync). */
  private lastSync = '';

  constructor(
    private readonly store: Store,
    private readonly fleet: FleetRegistry,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Gives the fleet registry its DesiredConfig directives and its new nodes' configs. */
  attach(): void {
    this.fleet.useConfigs(
      (ref) => this.directive(ref),
      (node) => this.newNode(node),
    );
  }

  /** The NodeConfigs in force (stored, not deleted). */
  async configs(): Promise<NamedConfig[]> {
    const docs = await this.store.list<StoredResource>(kindPrefix('NodeConfig'));
    return docs.filter((d) => !d.value.metadata.deletionTimestamp).map((d) => ({ name: d.value.metadata.name, spec: d.value.spec as unknown as NodeConfigSpec }));
  }

  /**
   * Refuses a set of NodeConfig changes that would render a conflict in any pool:
   * `changed` replaces (or adds) configs, `removed` takes them out. Errors name both configs.
   */
  async check(changed: ReadonlyArray<NamedConfig & { where: string }>, removed: readonly string[]): Promise<void> {
    const byName = new Map((await this.configs()).map((c) => [c.name, c]));
    for (const name of removed) byName.delete(name);
    for (const c of changed) byName.set(c.name, c);
    const all = [...byName.values()];
    for (const pool of poolsNamed(all)) {
      try {
        renderPool(pool, all);
      } catch (err) {
        if (!(err instanceof HostpilotError)) throw err;
        // Name the document of this set that takes part in a conflict (the later one in name order), else the set's last.
        const involved = err instanceof ConfigConflictError ? [...changed].reverse().find((c) => err.configs.includes(c.name)) : changed.at(-1);
        throw new FailedPreconditionError(involved ? `${involved.where}: ${err.message}` : err.message);
      }
    }
  }

  /** Re-renders every pool (after NodeConfigs changed, and periodically on every replica); then drops unused rendered configs. */
  async sync(): Promise<void> {
    const configs = await this.configs();
    const pools = new Set<string>(configs.flatMap((c) => c.spec.selector.pool ?? []));
    for (const n of this.fleet.scan()) if (n.record.labels[CONFIG_POOL_LABEL] !== undefined) pools.add(n.record.labels[CONFIG_POOL_LABEL]!);
    const records = await this.store.list<PoolConfig>('configs/pools/');
    for (const { value } of records) pools.add(value.pool);
    // Runs every second or so on every replica: nothing to render when neither the configs, the pools nor their records changed.
    const seen = canonicalJson([configs, [...pools].sort(), records.map((e) => e.value.hash)]);
    if (seen === this.lastSync) return;
    for (const pool of [...pools].sort()) {
      await this.record(pool, configs).catch((err: unknown) => this.log.warn('cannot render the pool\'s config', { pool, err }));
    }
    await this.collect();
    this.lastSync = seen;
  }

  /** The pool's rendered config as its NodeConfigs say now, recorded as its target. */
  async renderNow(pool: string): Promise<PoolConfig> {
    return this.record(pool, await this.configs());
  }

  private async record(pool: string, configs: readonly NamedConfig[]): Promise<PoolConfig> {
    const config = renderPool(pool, configs);
    const hash = config ? renderedHash(config) : '';
    if (config && !(await this.store.get<StoredRendered>(renderedKey(hash)))) {
      await this.store.put<StoredRendered>(renderedKey(hash), { hash, config, createdAt: this.now() });
    }
    if (config) this.remember(hash, config);
    const now = this.now();
    const { value, changed } = await this.store.update<PoolConfig, { value: PoolConfig; changed: boolean }>(poolKey(pool), (current) => {
      if (current?.hash === hash) return { result: { value: current, changed: false } };
      // A pool that never had a config and still has none needs no record.
      if (!current && hash === '') return { result: { value: { pool, hash, history: [], updatedAt: now }, changed: false } };
      const history = current ? [...current.history.filter((h) => h !== current.hash), current.hash].filter((h) => h !== hash).slice(-HISTORY) : [];
      const next = { pool, hash, history, updatedAt: now };
      return { next, result: { value: next, changed: true } };
    });
    if (changed) this.log.info('pool config rendered', { pool, hash, sources: config?.sources ?? [] });
    return value;
  }

  /** The pool's recorded target; rendered now if it has none yet. */
  async current(pool: string): Promise<PoolConfig> {
    return (await this.store.get<PoolConfig>(poolKey(pool))) ?? this.renderNow(pool);
  }

  async rendered(hash: string): Promise<RenderedConfig | undefined> {
    if (!hash) return undefined;
    const cached = this.cache.get(hash);
    if (cached) return cached;
    const stored = await this.store.get<StoredRendered>(renderedKey(hash));
    if (stored) this.remember(hash, stored.config);
    return stored?.config;
  }

  private remember(hash: string, config: RenderedConfig): void {
    if (this.cache.size >= CACHE) this.cache.clear();
    this.cache.set(hash, config);
  }

  // RolloutConfigs

  async pin(pool: string): Promise<string> {
    return (await this.renderNow(pool)).hash;
  }

  async desire(nodeId: string, hash: string, fromHash: string, rolloutId: string): Promise<void> {
    const had = this.fleet.view(nodeId)?.desiredConfig;
    if (had?.hash === hash && had.rolloutId === rolloutId) return;
    const [from, to] = await Promise.all([this.rendered(fromHash), this.rendered(hash)]);
    if (hash && !to) throw new FailedPreconditionError(`rendered config ${hash} is not stored (any more): the rollout cannot send it`);
    await this.fleet.setDesiredConfig(nodeId, { hash, disruption: disruptionOf(from, to), rolloutId });
  }

  async targets(): Promise<Map<string, string>> {
    return new Map((await this.store.list<PoolConfig>('configs/pools/')).map((e) => [e.value.pool, e.value.hash]));
  }

  /** The DesiredConfig directive for a node's reference. */
  async directive(ref: DesiredConfigRef): Promise<Directive | undefined> {
    const config = await this.rendered(ref.hash);
    if (ref.hash && !config) return undefined;
    return { desired_config: { hash: ref.hash, rendered_json: config ? JSON.stringify(config) : '', disruption: ref.disruption, rollout_id: ref.rolloutId } };
  }

  /** A node never seen before takes its pool's current config at once (no rollout: it runs nothing yet). */
  private async newNode(node: NodeView): Promise<void> {
    const pool = node.labels[CONFIG_POOL_LABEL];
    if (pool === undefined) return;
    const { hash } = await this.current(pool);
    if (!hash) return;
    await this.fleet.setDesiredConfig(node.nodeId, { hash, disruption: disruptionOf(await this.rendered(node.configHash ?? ''), await this.rendered(hash)), rolloutId: '' });
    this.log.info('new node given its pool\'s config', { node: node.nodeId, pool, hash });
  }

  /** Deletes rendered configs that no pool's target or history and no node (applied or desired) names. */
  private async collect(): Promise<void> {
    const keep = new Set<string>();
    for (const { value } of await this.store.list<PoolConfig>('configs/pools/')) for (const h of [value.hash, ...value.history]) keep.add(h);
    for (const n of this.fleet.scan()) {
      if (n.record.configHash) keep.add(n.record.configHash);
      if (n.record.desiredConfig?.hash) keep.add(n.record.desiredConfig.hash);
    }
    for (const { key, value } of await this.store.list<StoredRendered>('configs/rendered/')) {
      if (keep.has(value.hash)) continue;
      await this.store.delete(key);
      this.cache.delete(value.hash);
    }
  }

  /** Per pool whose target this config is part of: the rendered hash (a NodeConfig's status). */
  async statusOf(name: string): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const { value } of await this.store.list<PoolConfig>('configs/pools/')) {
      const config = await this.rendered(value.hash);
      if (config?.sources.includes(name)) out[value.pool] = value.hash;
    }
    return out;
  }
}
