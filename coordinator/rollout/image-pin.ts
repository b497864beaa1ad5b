// A rollout to an image tag (`quay.io/fedora/fedora-coreos:stable`) must not
// split the fleet when the tag moves mid-rollout. The coordinator has no
// registry client, so the first node resolves the tag: it alone is told the
// tag, stages what the tag names (`bootc switch --download-only`) and reports
// `IMAGE:TAG@sha256:D` (NodeReport.resolved_target). The rollout is then pinned
// to `IMAGE@sha256:D`, and that is what every node — the first one included —
// is told. Pure functions; the controller applies them inside its store update.
import { isImageTag, parseImageReference, pinImage } from '../../common/api/target.js';
import type { Rollout } from './types.js';

/** The target nodes move to: the pinned digest once known, else the spec's own target. */
export function effectiveTarget(r: Rollout): string {
  return r.pinnedTarget ?? r.spec.target;
}

/** A tag target not yet pinned: only the resolver is told, and no node counts as on target. */
export function awaitingPin(r: Rollout): boolean {
  return r.pinnedTarget === undefined && isImageTag(r.spec.target);
}

/** The node that resolves the tag: the first node the rollout started, in bucket order. */
export function resolverOf(r: Rollout): string | undefined {
  for (const bucket of r.buckets) for (const id of bucket.nodes) if (r.nodes[id]?.phase === 'updating') return id;
  return undefined;
}

/**
 * The rollout with its tag pinned, when the resolver reported the digest the
 * tag named; unchanged otherwise. Only the resolver's report counts: another
 * node that follows the same tag may have fetched it at another time.
 */
export function pinFromReports(r: Rollout, resolvedBy: (nodeId: string) => string | undefined): Rollout {
  if (!awaitingPin(r)) return r;
  const resolver = resolverOf(r);
  const reported = resolver !== undefined ? resolvedBy(resolver) : undefined;
  if (!reported) return r;
  const tag = parseImageReference(r.spec.target)!;
  const got = parseImageReference(reported);
  if (!got?.digest || got.transport !== '' || got.name !== tag.name || got.tag !== tag.tag) return r;
  return { ...r, pinnedTarget: pinImage(tag, got.digest) };
}

/**
 * The target the planner judges nodes against. While the tag is unpinned no
 * node runs it yet (one that follows the tag may be on an older digest), so
 * the planner gets a target nothing satisfies, named for the log.
 */
export function plannerTarget(r: Rollout): string {
  return awaitingPin(r) ? `${r.spec.target} (resolving to a digest)` : effectiveTarget(r);
}

/** Whom to tell what: every updating node the effective target, or while unpinned the resolver only. */
export function targetFor(r: Rollout, nodeId: string): string | undefined {
  if (!awaitingPin(r)) return effectiveTarget(r);
  return nodeId === resolverOf(r) ? r.spec.target : undefined;
}
