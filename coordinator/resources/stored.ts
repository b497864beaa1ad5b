// A resource as the coordinator keeps it in the store (resources/<Kind>/<name>):
// the canonical spec plus what the server adds. A deleted one stays as a
// tombstone so a rollout it ended is not listed again as a rollout created by hand.
import type { Resource } from '../../common/api/resources.js';

export type ManagedBy = 'apply' | 'git';

export interface StoredResource extends Resource {
  metadata: Resource['metadata'] & {
    /** Goes up by one on every change of the spec. */
    generation: number;
    creationTimestamp: string;
    managedBy: ManagedBy;
    deletionTimestamp?: string;
  };
}

export function resourceKey(kind: string, name: string): string {
  return `resources/${kind}/${name}`;
}

export function kindPrefix(kind: string): string {
  return `resources/${kind}/`;
}
