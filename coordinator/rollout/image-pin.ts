// A rollout to an image tag (`quay.io/fedora/fedora-coreos:stable`) must not
// split the fleet when the tag moves mid-rollout. The coordinator has no
// registry client, so the first node resolves the tag: it alone is told the
// tag, stages what the tag names (`bootc switch --download-only`) and reports
// `IMAGE:TAG@sha256:D` (NodeReport.resolved_target). The rollout is then pinned
// to `IMAGE@sha256:D`, and that is what every node — the first one included —
// is told. Pure functions; the controller applies them inside its store update.
import { isImageTag, parseImageReference, pinImage } from '../../common/api/target.js';
import { RolloutState } from './state.js';
import type { Rollout, RolloutHeadFields } from './types.js';

type Head = Pick<RolloutHeadFields, 'spec' | 'pinnedTarget'>;
/** A whole rollout (tests, small callers) or the controller's indexed one. */
type Subject = Rollout | RolloutState;
const headOf = (r: Subject): Head => (r instanceof RolloutState ? r.head : r);

/** The target nodes move to: the pinned digest once known, else the spec's own target. */
export function effectiveTarget(r: Head): string {
  return r.pinnedTarget ?? r.spec.target;
}

/** A tag target not yet pinned: only the resolver is told, and no node counts as on target. */
export function awaitingPin(r: Head): boolean {
  return r.pinnedTarget === undefined && isImageTag(r.spec.target);
}

/** The node that resolves the tag: the first node the rollout started, in bucket order. */
export function resolverOf(r: Subject): string | undefined {
  const s = r instanceof RolloutState ? r : RolloutState.fromRollout(r);
  let first: string | undefined;
  for (const id of s.inFlight) if (s.get(id)!.phase === 'updating' && (first === undefined || s.order.get(id)! < s.order.get(first)!)) first = id;
  return first;
}

/**
 * The digest the tag is pinned to, when the resolver reported the digest the
 * tag named; undefined otherwise. Only the resolver's report counts: another
 * node that follows the same tag may have fetched it at another time.
 */
export function pinOf(r: Subject, resolvedBy: (nodeId: string) => string | undefined): string | undefined {
  const head = headOf(r);
  if (!awaitingPin(head)) return undefined;
  const resolver = resolverOf(r);
  const reported = resolver !== undefined ? resolvedBy(resolver) : undefined;
  if (!reported) return undefined;
  const tag = parseImageReference(head.spec.target)!;
  const got = parseImageReference(reported);
  if (!got?.digest || got.transport !== '' || got.name !== tag.name || got.tag !== tag.tag) return undefined;
  return pinImage(tag, got.digest);
}

/** The whole rollout with its tag pinned (see pinOf); unchanged otherwise. */
export function pinFromReports(r: Rollout, resolvedBy: (nodeId: string) => string | undefined): Rollout {
  const pinned = pinOf(r, resolvedBy);
  return pinned === undefined ? r : { ...r, pinnedTarget: pinned };
}

/**
 * The target the planner judges nodes against. While the tag is unpinned no
 * node runs it yet (one that follows the tag may be on an older digest), so
 * the planner gets a target nothing satisfies, named for the log.
 */
export function plannerTarget(r: Head): string {
  return awaitingPin(r) ? `${r.spec.target} (resolving to a digest)` : effectiveTarget(r);
}

/** Whom to tell what: every updating node the effective target, or while unpinned the resolver only. */
export function targetFor(r: Subject, nodeId: string): string | undefined {
  const head = headOf(r);
  if (!awaitingPin(head)) return effectiveTarget(head);
  return nodeId === resolverOf(r) ? head.spec.target : undefined;
}
