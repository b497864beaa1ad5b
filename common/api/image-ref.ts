// Container image references as OS targets (bootc hosts): a registry image
// with a tag (`quay.io/fedora/fedora-coreos:stable`) or pinned to a digest
// (`quay.io/fedora/fedora-coreos@sha256:<64 hex>`). Shared by the agent (what
// to stage, whether the booted image satisfies the target) and the coordinator
// (a tag target is pinned to one digest for the whole rollout).
//
// Kept to what those callers need; when common/api/target.ts (the one OS-target
// parser) lands, its image-reference form replaces parseImageRef here.

export interface ImageRef {
  /** `registry[:port]/path`, without tag or digest. */
  repository: string;
  tag?: string;
  /** `sha256:<64 hex>`. */
  digest?: string;
}

// The first path component names a registry only if it looks like a host: a dot, a port, or
// localhost. That keeps ostree refspecs (`fedora:fedora/x86_64/coreos/stable`, `a/b/c`) out.
const HOST = /^(?:localhost|[a-z0-9-]+(?:\.[a-z0-9-]+)+|[a-z0-9-]+(?:\.[a-z0-9-]+)*:[0-9]{1,5})$/i;
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** A registry image reference, or undefined when `text` is not one (a version, a checksum, an ostree refspec). */
export function parseImageRef(text: string): ImageRef | undefined {
  const at = text.indexOf('@');
  const name = at >= 0 ? text.slice(0, at) : text;
  const digest = at >= 0 ? text.slice(at + 1) : undefined;
  if (digest !== undefined && !DIGEST.test(digest)) return undefined;
  const slash = name.indexOf('/');
  if (slash < 0 || !HOST.test(name.slice(0, slash))) return undefined;
  const lastSlash = name.lastIndexOf('/');
  const colon = name.indexOf(':', lastSlash);
  const repository = colon >= 0 ? name.slice(0, colon) : name;
  const tag = colon >= 0 ? name.slice(colon + 1) : undefined;
  if (tag !== undefined && !TAG.test(tag)) return undefined;
  if (!repository.slice(slash + 1).split('/').every((c) => COMPONENT.test(c))) return undefined;
  return { repository, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** An image reference that names a tag and no digest: it can move, so a rollout pins it first. */
export function isImageTag(text: string): boolean {
  const ref = parseImageRef(text);
  return ref !== undefined && ref.digest === undefined;
}

/** `repository@sha256:…`: the form every node of a rollout deploys. */
export function pinnedImage(repository: string, digest: string): string {
  return `${repository}@${digest}`;
}

/** The repository an image reference names (tag and digest dropped); '' when it is not one. */
export function imageRepository(text: string): string {
  return parseImageRef(text)?.repository ?? '';
}

/**
 * Does a deployment (bootc: checksum = image digest, origin = image reference)
 * satisfy an image target? A digest target is satisfied by that digest; a tag
 * target by a deployment that follows the same reference. Undefined when the
 * target is not an image reference (the caller's other rules apply).
 */
export function imageSatisfies(dep: { checksum: string; origin: string }, target: string): boolean | undefined {
  const ref = parseImageRef(target);
  if (!ref) return undefined;
  if (ref.digest) return dep.checksum === ref.digest;
  return dep.origin === target;
}
