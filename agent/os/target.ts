// What `os deploy TARGET` means. A target is a version (the commit's `version`
// metadata), a checksum or a unique prefix of one (at least 7 hex digits), or a
// refspec (`remote:ref`, `ref/with/slashes`, or a container image reference).
// Explicit forms remove any doubt: `version=V`, `revision=SHA` (or `checksum=`),
// `refspec=R`. Parsing is pure; resolving a refspec is the backend's job.
import { InvalidArgumentError } from '../../common/errors.js';
import { AmbiguousTargetError } from './errors.js';

export type TargetSpec =
  | { kind: 'version'; text: string; version: string }
  | { kind: 'checksum'; text: string; checksum: string }
  /** Hex digits that could be a version ("20240101") or a checksum prefix: a version match wins. */
  | { kind: 'version-or-checksum'; text: string; value: string }
  | { kind: 'refspec'; text: string; refspec: string };

export const MIN_PREFIX = 7;
const FULL_CHECKSUM = /^[0-9a-f]{64}$/;
const HEX = /^[0-9a-f]+$/;
const VERSION = /^[A-Za-z0-9][A-Za-z0-9._+~-]{0,127}$/;
// Ostree refs, remotes and container image references (transport:registry/name:tag@sha256:...).
const REFSPEC = /^[A-Za-z0-9][A-Za-z0-9._\-/:@+]{0,511}$/;

export function isFullChecksum(text: string): boolean {
  return FULL_CHECKSUM.test(text);
}

export function parseTarget(text: string, field = 'target'): TargetSpec {
  if (typeof text !== 'string' || text === '') throw new InvalidArgumentError(field, 'must not be empty');
  const eq = text.indexOf('=');
  if (eq > 0) {
    const key = text.slice(0, eq);
    const value = text.slice(eq + 1);
    switch (key) {
      case 'version':
        if (!VERSION.test(value)) throw new InvalidArgumentError(field, `${JSON.stringify(value)} is not a valid version`);
        return { kind: 'version', text, version: value };
      case 'revision':
      case 'checksum':
        return { kind: 'checksum', text, checksum: checksumOrPrefix(value, field) };
      case 'refspec':
        if (!REFSPEC.test(value)) throw new InvalidArgumentError(field, `${JSON.stringify(value)} is not a valid refspec`);
        return { kind: 'refspec', text, refspec: value };
      default:
        throw new InvalidArgumentError(field, `unknown prefix ${JSON.stringify(key)} (use version=, revision= or refspec=)`);
    }
  }
  if (FULL_CHECKSUM.test(text)) return { kind: 'checksum', text, checksum: text };
  if (text.includes(':') || text.includes('/')) {
    if (!REFSPEC.test(text)) throw new InvalidArgumentError(field, `${JSON.stringify(text)} is not a valid refspec`);
    return { kind: 'refspec', text, refspec: text };
  }
  if (HEX.test(text) && text.length >= MIN_PREFIX) return { kind: 'version-or-checksum', text, value: text };
  if (!VERSION.test(text)) throw new InvalidArgumentError(field, `${JSON.stringify(text)} is not a version, checksum or refspec`);
  return { kind: 'version', text, version: text };
}

function checksumOrPrefix(value: string, field: string): string {
  if (!HEX.test(value) || value.length < MIN_PREFIX || value.length > 64) {
    throw new InvalidArgumentError(field, `${JSON.stringify(value)} is not a checksum or a prefix of at least ${MIN_PREFIX} lowercase hex digits`);
  }
  return value;
}

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
export function resolveTarget(spec: TargetSpec, candidates: readonly CommitCandidate[]): CommitCandidate | undefined {
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
