// The shape of a declared resource and of a kind's definition (common/api/resources.ts keeps the registry).

export const API_VERSION = 'hostpilot.io/v1';

export type Spec = Record<string, unknown>;

export interface ResourceMetadata {
  name: string;
  labels: Record<string, string>;
}

/** A validated document: its spec in the kind's canonical form (defaults filled in), so equal means unchanged. */
export interface Resource {
  apiVersion: typeof API_VERSION;
  kind: string;
  metadata: ResourceMetadata;
  spec: Spec;
}

export interface KindDef {
  kind: string;
  plural: string;
  /** Applied in this order (a Rollout names a LockGroup); deleted in reverse. */
  order: number;
  /** Validates metadata.name for this kind (it becomes a store key). */
  validateName(name: string, field: string): void;
  /** Throws InvalidArgumentError naming `spec.<field>`; returns the canonical spec. */
  validateSpec(spec: unknown): Spec;
  /** Spec fields that may change once the object is in force; undefined: every field. */
  safeFields?: readonly string[];
  /** Table columns for `get` beyond NAME, from the spec and the status. */
  columns: { header: string[]; row(r: Resource, status: Record<string, unknown> | undefined): string[] };
}
