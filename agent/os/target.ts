// Resolving an OS target (common/api/target.ts parses it) against the commits
// a backend knows. Refspec targets are the backend's to resolve.
import type { OsTarget } from '../../common/api/target.js';
import { AmbiguousTargetError } from './errors.js';

/** A commit a target may resolve to. */
export interface CommitCandidate {
  checksum: string;
  version: string;
}

/**
 * Resolves a version or checksum target against known commits (in priority
 * order; duplicates of one checksum are fine). Returns undefined when nothing
 * matches; throws AmbiguousTargetError when a version or prefix names several
 * commits. Refspec targets are not resolved here.
 */
export function resolveTarget(spec: OsTarget, candidates: readonly CommitCandidate[]): CommitCandidate | undefined {
  switch (spec.kind) {
    case 'version':
      return unique(spec.text, candidates.filter((c) => c.version === spec.version));
    case 'checksum':
      return unique(spec.text, candidates.filter((c) => c.checksum.startsWith(spec.checksum)));
    case 'version-or-checksum': {
      const byVersion = candidates.filter((c) => c.version === spec.value);
      if (byVersion.length > 0) return unique(spec.text, byVersion);
      return unique(spec.text, candidates.filter((c) => c.checksum.startsWith(spec.value)));
    }
    case 'refspec':
      return undefined;
    default: {
      const never: never = spec;
      return never;
    }
  }
}

function unique(target: string, matches: CommitCandidate[]): CommitCandidate | undefined {
  const distinct = [...new Set(matches.map((m) => m.checksum))];
  if (distinct.length > 1) throw new AmbiguousTargetError(target, distinct);
  return matches[0];
}
