// An OS target: what `hostpilot-agent os deploy TARGET`, a rollout's `target`
// and the coordinator's desired target all name, parsed by this one function,
// and the one decision of whether a deployment satisfies it.
//
// A target is a version (the commit's `version` metadata), a checksum or a
// unique prefix of one (at least 7 hex digits), or a refspec (`remote:ref`,
// `ref/with/slashes`) or a container image reference (`registry/repo:tag`,
// `registry/repo@sha256:…`, optionally behind a transport such as
// `ostree-unverified-registry:`). Explicit forms remove any doubt:
// `version=V`, `revision=SHA` (or `checksum=`), `refspec=R`. Parsing is pure;
// resolving a version or a refspec to a commit is the OS backend's job.
import { InvalidArgumentError } from '../errors.js';

/** A container image reference: `registry/repository`, with a tag, a digest or both. */
export interface ImageReference {
  /** The transport prefix as given (`ostree-unverified-registry:`, `docker://`, …); '' for none. */
  transport: string;
  /** `registry[:port]/path/name`: the registry is always present (`quay.io/fedora/fedora-coreos`). */
  name: string;
  tag?: string;
  /** `sha256:<64 hex>`. */
  digest?: string;
}

export type OsTarget =
  | { kind: 'version'; text: string; version: string }
  | { kind: 'checksum'; text: string; checksum: string }
  /** Hex digits that could be a version ("20240101") or a checksum prefix: a version match wins. */
  | { kind: 'version-or-checksum'; text: string; value: string }
  /** An OSTree refspec, or a container image reference (then `image` is set). */
  | { kind: 'refspec'; text: string; refspec: string; image?: ImageReference };

export const MIN_PREFIX = 7;
export const MAX_TARGET_LENGTH = 512;
const MAX_VERSION_LENGTH = 128;
const FULL_CHECKSUM = /^[0-9a-f]{64}$/;
const HEX = /^[0-9a-f]+$/;
const VERSION = /^[A-Za-z0-9][A-Za-z0-9._+~-]*$/;
// Ostree refs and remotes, and image references (transport:registry/name:tag@sha256:...).
const REFSPEC = /^[A-Za-z0-9][A-Za-z0-9._\-/:@+]*$/;
// Whitespace, C0/C1 controls, DEL and Unicode line/paragraph separators.
const UNPRINTABLE = /[\s\u0000-\u001f\u007f-\u009f]/u;

// The transports rpm-ostree and bootc accept before an image name (ostree-ext's ImageReference).
const TRANSPORTS = [
  /^ostree-unverified-registry:/,
  /^ostree-unverified-image:(?:docker|registry):\/\//,
  /^ostree-image-signed:(?:docker|registry):\/\//,
  /^ostree-remote-registry:[A-Za-z0-9][A-Za-z0-9._-]*:/,
  /^ostree-remote-image:[A-Za-z0-9][A-Za-z0-9._-]*:(?:docker|registry):\/\//,
  /^docker:\/\//,
  /^registry:/,
];
// The distribution reference grammar (github.com/distribution/reference), with the registry required.
const DOMAIN = /^(?:localhost|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*:[0-9]+)$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

export function isFullChecksum(text: string): boolean {
  return FULL_CHECKSUM.test(text);
}

/** Parses a target; throws InvalidArgumentError naming `field` when it is malformed. */
export function parseTarget(text: string, field = 'target'): OsTarget {
  if (typeof text !== 'string' || text === '') throw new InvalidArgumentError(field, 'must not be empty');
  if (text.length > MAX_TARGET_LENGTH) throw new InvalidArgumentError(field, `is longer than ${MAX_TARGET_LENGTH} characters`);
  if (UNPRINTABLE.test(text)) throw new InvalidArgumentError(field, 'must not contain whitespace or control characters');
  const eq = text.indexOf('=');
  if (eq > 0) {
    const key = text.slice(0, eq);
    const value = text.slice(eq + 1);
    switch (key) {
      case 'version':
        return { kind: 'version', text, version: version(value, field) };
      case 'revision':
      case 'checksum':
        return { kind: 'checksum', text, checksum: checksumOrPrefix(value, field) };
      case 'refspec':
        return refspec(text, value, field);
      default:
        throw new InvalidArgumentError(field, `unknown prefix ${JSON.stringify(key.slice(0, 40))} (use version=, revision= or refspec=)`);
    }
  }
  if (FULL_CHECKSUM.test(text)) return { kind: 'checksum', text, checksum: text };
  if (text.includes(':') || text.includes('/')) return refspec(text, text, field);
  if (!VERSION.test(text) || text.length > MAX_VERSION_LENGTH) throw new InvalidArgumentError(field, `${quote(text)} is not a version, checksum or refspec`);
  if (HEX.test(text) && text.length >= MIN_PREFIX) return { kind: 'version-or-checksum', text, value: text };
  return { kind: 'version', text, version: text };
}

/** Like parseTarget, but undefined for a malformed target (a desired target from the wire). */
export function tryParseTarget(text: string): OsTarget | undefined {
  try {
    return parseTarget(text);
  } catch {
    return undefined;
  }
}

function version(value: string, field: string): string {
  if (!VERSION.test(value) || value.length > MAX_VERSION_LENGTH) throw new InvalidArgumentError(field, `${quote(value)} is not a valid version`);
  return value;
}

function checksumOrPrefix(value: string, field: string): string {
  if (!HEX.test(value) || value.length < MIN_PREFIX || value.length > 64) {
    throw new InvalidArgumentError(field, `${quote(value)} is not a checksum or a prefix of at least ${MIN_PREFIX} lowercase hex digits`);
  }
  return value;
}

function refspec(text: string, value: string, field: string): OsTarget {
  if (!REFSPEC.test(value)) throw new InvalidArgumentError(field, `${quote(value)} is not a valid refspec`);
  const image = parseImageReference(value);
  if (image === undefined && (value.includes('@') || TRANSPORTS.some((t) => t.test(value)))) {
    throw new InvalidArgumentError(field, `${quote(value)} is not a valid image reference (registry/repository[:tag][@sha256:<64 hex>])`);
  }
  return image ? { kind: 'refspec', text, refspec: value, image } : { kind: 'refspec', text, refspec: value };
}

function quote(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

/**
 * A container image reference, or undefined when `text` is not one. An image
 * names its registry (a host with a dot or a port, or `localhost`) or comes
 * behind a transport; `remote:ref` and `ref/path` stay OSTree refspecs.
 */
export function parseImageReference(text: string): ImageReference | undefined {
  const transport = TRANSPORTS.map((t) => t.exec(text)?.[0]).find((m) => m !== undefined) ?? '';
  let rest = text.slice(transport.length);
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    if (!DIGEST.test(digest)) return undefined;
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    if (!TAG.test(tag)) return undefined;
    rest = rest.slice(0, colon);
  }
  const parts = rest.split('/');
  if (parts.length < 2 || !DOMAIN.test(parts[0]!) || !parts.slice(1).every((p) => PATH_COMPONENT.test(p))) return undefined;
  return { transport, name: rest, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/**
 * Does an image a host runs satisfy a target image? The same registry and
 * repository, and then the digest when the target pins one, else the tag (an
 * untagged reference means `latest`). `runningDigest` is the digest the host
 * pulled (`sha256:…`, '' when unknown). Transports do not matter.
 */
export function imageSatisfies(running: ImageReference | undefined, runningDigest: string, target: ImageReference): boolean {
  if (!running || running.name !== target.name) return false;
  if (target.digest !== undefined) return runningDigest === target.digest || running.digest === target.digest;
  return (running.tag ?? 'latest') === (target.tag ?? 'latest');
}

/** The deployment facts a target is judged against. */
export interface DeploymentFacts {
  checksum: string;
  version: string;
  /** The origin refspec or container image reference; '' when unknown. */
  origin: string;
  /** The pulled image's digest (`sha256:…`) on image-based hosts. */
  imageDigest?: string;
}

/**
 * Does this deployment satisfy the target? A malformed target (a string that
 * does not parse) satisfies nothing: unknown means no.
 */
export function satisfies(dep: DeploymentFacts | undefined, target: OsTarget | string): boolean {
  const t = typeof target === 'string' ? tryParseTarget(target) : target;
  if (!dep || !t) return false;
  switch (t.kind) {
    case 'version':
      return dep.version !== '' && dep.version === t.version;
    case 'checksum':
      return dep.checksum.startsWith(t.checksum);
    case 'version-or-checksum':
      return (dep.version !== '' && dep.version === t.value) || dep.checksum.startsWith(t.value);
    case 'refspec':
      if (dep.origin === '') return false;
      if (t.image) return imageSatisfies(parseImageReference(dep.origin), dep.imageDigest ?? '', t.image);
      return dep.origin === t.refspec;
    default: {
      const never: never = t;
      return never;
    }
  }
}

/**
 * A bare image reference (no transport: what `bootc switch` takes) that names
 * a tag and no digest. It can move, so a rollout to it is pinned to one digest
 * first (coordinator/rollout/image-pin.ts) and a bootc node resolves it once.
 */
export function isImageTag(text: string): boolean {
  const image = parseImageReference(text);
  return image !== undefined && image.transport === '' && image.digest === undefined;
}

/** `registry/repository@sha256:…`: an image reference pinned to one digest, as every node of a rollout deploys it. */
export function pinImage(image: ImageReference, digest: string): string {
  return `${image.transport}${image.name}@${digest}`;
}
