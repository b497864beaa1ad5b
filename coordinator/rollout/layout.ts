// How a rollout lies in the store, so that no value grows with the fleet
// and a step writes only what changed:
//
//   rollouts/<id>                          the head (RolloutHead): spec, phase, bucket, counts, ...
//   rollout-nodes/<id>/<node>              one node's state (StoredRolloutNode)
//   rollout-buckets/<id>/<bucket>/<part>   a bucket's members, at most PART_SIZE per part
//
// (`rollout-nodes/` and `rollout-buckets/` do not start with `rollouts/`, so a
// listing of the heads reads no node.) The head is the commit point: a
// rollout exists once its head does, so its parts are written before it (a
// crash in between leaves parts no head names: harmless, and removed when a
// rollout of that id is created) and removed after it.
//
// Versions before this one kept a rollout as one document at rollouts/<id>.
// The leader rewrites those before its first step (`migrateRollouts`: only
// the leader writes node keys, so no replica's migration can overwrite a
// step); until then readers see such a document as it is.
import type { Logger } from '../../common/log.js';
import { StoreValueError, type Store } from '../store/store.js';
import { countPhases } from './state.js';
import type { Bucket, Rollout, RolloutHead, RolloutHeadFields, RolloutNode, StoredRolloutNode } from './types.js';

export const HEADS = 'rollouts/';
const NODES = 'rollout-nodes/';
const BUCKETS = 'rollout-buckets/';
/** Node ids per bucket part: 500 ids of at most 253 characters stay far below etcd's request limit. */
export const PART_SIZE = 500;
/** Writes a create or a migration keeps in flight at once. */
const WRITE_BATCH = 1000;

export const headKey = (id: string) => `${HEADS}${id}`;
const nodeKey = (id: string, nodeId: string) => `${NODES}${id}/${nodeId}`;
const nodesOf = (id: string) => `${NODES}${id}/`;
const bucketsOf = (id: string) => `${BUCKETS}${id}/`;
const pad = (n: number, width: number) => String(n).padStart(width, '0');
const partKey = (id: string, bucket: number, part: number) => `${bucketsOf(id)}${pad(bucket, 6)}/${pad(part, 4)}`;

interface StoredPart {
  name: string;
  nodes: string[];
}

/** The head of a whole rollout. */
export function headOf(r: Rollout, rev: number, nodesRev: number): RolloutHead {
  const { nodes, buckets, ...fields } = r;
  return toHead(fields, buckets.length, buckets[r.bucket]?.name ?? '', countPhases(Object.values(nodes)), rev, nodesRev);
}

export function toHead(fields: RolloutHeadFields, bucketCount: number, bucketName: string, counts: RolloutHead['counts'], rev: number, nodesRev: number): RolloutHead {
  return { ...fields, layout: 2, bucketCount, bucketName, counts, rev, nodesRev };
}

/** The head fields of a head (what the planner and operator actions change). */
export function fieldsOf(h: RolloutHead): RolloutHeadFields {
  const { layout: _l, bucketCount: _b, bucketName: _n, counts: _c, rev: _r, nodesRev: _v, ...fields } = h;
  return fields;
}

/** A document at rollouts/<id> written before this layout: the whole rollout. */
function isWhole(v: unknown): v is Rollout {
  return typeof v === 'object' && v !== null && (v as { layout?: unknown }).layout === undefined && typeof (v as Rollout).nodes === 'object' && Array.isArray((v as Rollout).buckets);
}

/** A head, or the head of a rollout not migrated yet (rev 0: the leader migrates it before it steps). */
function checkHead(key: string, v: unknown): RolloutHead {
  if (isWhole(v)) return headOf(v, 0, 0);
  if (typeof v !== 'object' || v === null || (v as RolloutHead).layout !== 2 || typeof (v as RolloutHead).spec !== 'object') throw new StoreValueError(key, 'not a rollout head');
  return v as RolloutHead;
}

export async function readHead(store: Store, id: string): Promise<RolloutHead | undefined> {
  const v = await store.get<unknown>(headKey(id));
  return v === undefined ? undefined : checkHead(headKey(id), v);
}

export async function listHeads(store: Store): Promise<RolloutHead[]> {
  return (await store.list<unknown>(HEADS)).map((e) => checkHead(e.key, e.value)).sort((a, b) => a.createdAt - b.createdAt);
}

/** A rollout's nodes, each with its bucket. */
export async function readNodes(store: Store, id: string): Promise<Map<string, StoredRolloutNode>> {
  const prefix = nodesOf(id);
  return new Map((await store.list<StoredRolloutNode>(prefix)).map((e) => [e.key.slice(prefix.length), e.value]));
}

export async function readBuckets(store: Store, id: string): Promise<Bucket[]> {
  const buckets: Bucket[] = [];
  const prefix = bucketsOf(id);
  for (const { key, value } of await store.list<StoredPart>(prefix)) {
    const index = Number(key.slice(prefix.length, prefix.length + 6));
    const bucket = (buckets[index] ??= { name: value.name, nodes: [] });
    for (const n of value.nodes) bucket.nodes.push(n);
  }
  return buckets;
}

/** The whole rollout (status pages, tests): reads every node of it. */
export async function readRollout(store: Store, id: string): Promise<{ head: RolloutHead; rollout: Rollout } | undefined> {
  const v = await store.get<unknown>(headKey(id));
  if (v === undefined) return undefined;
  if (isWhole(v)) return { head: headOf(v, 0, 0), rollout: v };
  const head = checkHead(headKey(id), v);
  const [stored, buckets] = await Promise.all([readNodes(store, id), readBuckets(store, id)]);
  const nodes: Record<string, RolloutNode> = {};
  for (const [nodeId, n] of stored) nodes[nodeId] = nodeOf(n);
  return { head, rollout: { ...fieldsOf(head), buckets, nodes } };
}

/** A stored node without its bucket. */
export function nodeOf(n: StoredRolloutNode): RolloutNode {
  const { bucket: _b, ...node } = n;
  return node;
}

/** Runs `write` for each item, WRITE_BATCH at a time (SQLite commits each batch as one transaction). */
async function inBatches<T>(items: readonly T[], write: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += WRITE_BATCH) await Promise.all(items.slice(i, i + WRITE_BATCH).map(write));
}

/** Writes the nodes of a rollout, each with its bucket. */
export async function writeNodes(store: Store, id: string, nodes: ReadonlyArray<readonly [string, RolloutNode]>, bucketOf: (nodeId: string) => number): Promise<void> {
  await inBatches(nodes, ([nodeId, n]) => store.put<StoredRolloutNode>(nodeKey(id, nodeId), { ...n, bucket: bucketOf(nodeId) }));
}

/** The parts (nodes, buckets) of a whole rollout, written before its head. */
async function writeParts(store: Store, r: Rollout): Promise<void> {
  const id = r.spec.id;
  const bucketOf = new Map<string, number>();
  const parts: Array<[string, StoredPart]> = [];
  r.buckets.forEach((b, i) => {
    for (const n of b.nodes) bucketOf.set(n, i);
    for (let p = 0; p * PART_SIZE < b.nodes.length || p === 0; p++) parts.push([partKey(id, i, p), { name: b.name, nodes: b.nodes.slice(p * PART_SIZE, (p + 1) * PART_SIZE) }]);
  });
  await inBatches(parts, ([key, part]) => store.put(key, part));
  await writeNodes(store, id, Object.entries(r.nodes), (n) => bucketOf.get(n) ?? 0);
}

/** Removes the parts of rollout `id` (its head must be gone or about to be rewritten). */
async function removeParts(store: Store, id: string): Promise<void> {
  for (const prefix of [nodesOf(id), bucketsOf(id)]) {
    const keys = (await store.list<unknown>(prefix)).map((e) => e.key);
    await inBatches(keys, (key) => store.delete(key));
  }
}

/**
 * Stores a new rollout: parts first, the head last and only if no rollout of that id
 * exists. Leftover parts of an earlier rollout of the same id go first. False: it exists.
 */
export async function createStored(store: Store, r: Rollout): Promise<boolean> {
  const id = r.spec.id;
  if (await store.get(headKey(id))) return false;
  await removeParts(store, id);
  await writeParts(store, r);
  return store.update<RolloutHead, boolean>(headKey(id), (current) => (current ? { result: false } : { next: headOf(r, 1, 1), result: true }));
}

/** Removes a rollout: its head first (it no longer exists), then its parts. */
export async function deleteStored(store: Store, id: string): Promise<void> {
  await store.delete(headKey(id));
  await removeParts(store, id);
}

/**
 * Rewrites every rollout stored whole by an earlier version in this layout: parts
 * first, then the head over the old document, only if that is still what is stored.
 * Idempotent: a crash half-way is finished by the next run. The leader runs it before
 * its first step. Returns the ids migrated.
 */
export async function migrateRollouts(store: Store, log: Logger): Promise<string[]> {
  const migrated: string[] = [];
  for (const { key, value } of await store.list<unknown>(HEADS)) {
    if (!isWhole(value)) continue;
    const id = key.slice(HEADS.length);
    await removeParts(store, id);
    await writeParts(store, value);
    const done = await store.update<unknown, boolean>(key, (current) => (isWhole(current) && current.updatedAt === value.updatedAt ? { next: headOf(value, 1, 1), result: true } : { result: false }));
    if (done) {
      migrated.push(id);
      log.info('rollout migrated to the per-node layout', { rollout: id, nodes: Object.keys(value.nodes).length, buckets: value.buckets.length });
    }
  }
  return migrated;
}

/** Whether the value at a head key is a rollout an earlier version stored whole (not migrated yet). */
export function notMigrated(v: unknown): boolean {
  return isWhole(v);
}
