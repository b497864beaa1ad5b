// Declared resources (`apiVersion: hostpilot.io/v1`, kind, metadata, spec):
// one registry of kinds and one validation path, shared by hostpilotctl (which
// checks files before sending them) and the coordinator (which checks again,
// and is the only reader of a git source). A new kind is one more entry in KINDS.
import { InvalidArgumentError } from '../errors.js';
import { validateLabels } from '../names.js';
import { API_VERSION, type KindDef, type Resource, type Spec } from './resource-types.js';
import { canonicalJson, isObject, onlyKeys } from './fields.js';
import { lockGroupKind } from './kinds/lock-group.js';
import { nodeConfigKind } from './kinds/node-config.js';
import { remediationPolicyKind } from './kinds/remediation-policy.js';
import { rolloutKind } from './kinds/rollout.js';

export { API_VERSION } from './resource-types.js';
export type { KindDef, Resource, ResourceMetadata, Spec } from './resource-types.js';

export const KINDS: readonly KindDef[] = [lockGroupKind, nodeConfigKind, rolloutKind, remediationPolicyKind];

/** `rollout`, `rollouts`, `Rollout`, `lockgroup`, `LockGroups`... */
export function resolveKind(text: string): KindDef {
  const t = text.toLowerCase();
  const def = KINDS.find((k) => k.kind.toLowerCase() === t || k.plural.toLowerCase() === t);
  if (!def) throw new InvalidArgumentError('kind', `${JSON.stringify(text.slice(0, 60))} is not a kind (${KINDS.map((k) => k.kind).join(', ')})`);
  return def;
}

export function kindDef(kind: string): KindDef {
  const def = KINDS.find((k) => k.kind === kind);
  if (!def) throw new InvalidArgumentError('kind', `${JSON.stringify(kind.slice(0, 60))} is not a kind (${KINDS.map((k) => k.kind).join(', ')})`);
  return def;
}

/** "fleet/rollouts.yaml: document 2 (Rollout "workers-41")": where a document came from, for errors. */
export function describeDocument(source: string, index: number, raw: unknown): string {
  const kind = isObject(raw) && typeof raw.kind === 'string' ? raw.kind.slice(0, 40) : '';
  const name = isObject(raw) && isObject(raw.metadata) && typeof raw.metadata.name === 'string' ? raw.metadata.name.slice(0, 80) : '';
  const what = kind && name ? ` (${kind} ${JSON.stringify(name)})` : kind ? ` (${kind})` : '';
  return `${source}: document ${index}${what}`;
}

/** Validates one parsed document; errors read `<where>: <field>: <problem>`. */
export function validateDocument(raw: unknown, where: string): Resource {
  try {
    if (!isObject(raw)) throw new InvalidArgumentError('document', 'is not a mapping');
    // status (and server-kept metadata) from `get -o yaml` may be applied back: ignored.
    onlyKeys(raw, ['apiVersion', 'kind', 'metadata', 'spec', 'status'], '');
    if (raw.apiVersion !== API_VERSION) throw new InvalidArgumentError('apiVersion', `${JSON.stringify(raw.apiVersion ?? null)} is not ${API_VERSION}`);
    if (typeof raw.kind !== 'string') throw new InvalidArgumentError('kind', 'is required');
    const def = kindDef(raw.kind);
    if (!isObject(raw.metadata)) throw new InvalidArgumentError('metadata', 'is required (with a name)');
    onlyKeys(raw.metadata, ['name', 'labels', 'generation', 'creationTimestamp', 'managedBy'], 'metadata.');
    const name = raw.metadata.name;
    if (typeof name !== 'string' || name === '') throw new InvalidArgumentError('metadata.name', 'is required');
    def.validateName(name, 'metadata.name');
    const labelsRaw = raw.metadata.labels ?? {};
    if (!isObject(labelsRaw)) throw new InvalidArgumentError('metadata.labels', 'is not a mapping');
    const labels = validateLabels(Object.fromEntries(Object.entries(labelsRaw).map(([k, v]) => [k, typeof v === 'string' ? v : String(v)])), 'metadata.labels');
    const spec = def.validateSpec(raw.spec);
    return { apiVersion: API_VERSION, kind: def.kind, metadata: { name, labels }, spec };
  } catch (err) {
    if (err instanceof InvalidArgumentError) throw new InvalidArgumentError(`${where}: ${err.field}`, err.message.slice(err.field.length + 2));
    throw err;
  }
}

/** A set applied together: no two documents may name the same object. */
export function checkUnique(resources: readonly Resource[], wheres: readonly string[]): void {
  const seen = new Map<string, string>();
  resources.forEach((r, i) => {
    const id = `${r.kind}/${r.metadata.name}`;
    const first = seen.get(id);
    if (first !== undefined) throw new InvalidArgumentError(wheres[i]!, `${id} is declared twice (first in ${first})`);
    seen.set(id, wheres[i]!);
  });
}

export function sortForApply<T extends { kind: string }>(items: T[]): T[] {
  return [...items].sort((a, b) => kindDef(a.kind).order - kindDef(b.kind).order);
}

/** Deep equality over JSON values, ignoring key order. */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}


/** What changes from `from` to `to`, one line per top-level spec field: `spec.maxUnavailable: 1 -> "10%"`. */
export function specChanges(from: Spec | undefined, to: Spec | undefined): string[] {
  const keys = [...new Set([...Object.keys(from ?? {}), ...Object.keys(to ?? {})])].sort();
  const show = (v: unknown) => (v === undefined ? '(unset)' : JSON.stringify(v));
  return keys.filter((k) => !sameJson(from?.[k], to?.[k])).map((k) => `spec.${k}: ${show(from?.[k])} -> ${show(to?.[k])}`);
}
