// Image tags as OS targets (common/api/target.ts): which move (and so are
// pinned by a rollout), how a pin is written, and that a digest target is
// satisfied by a bootc deployment's digest.
import { describe, expect, it } from 'vitest';
import { isImageTag, parseImageReference, pinImage, satisfies } from '../../common/api/target.js';
import { parseRolloutSpec } from '../../common/api/rollout-spec.js';

const D = `sha256:${'ab'.repeat(32)}`;

describe('image tags', () => {
  it('a bare tag moves; a digest, a transport-prefixed reference or a refspec is not pinned', () => {
    expect(isImageTag('quay.io/fedora/fedora-coreos:stable')).toBe(true);
    expect(isImageTag('quay.io/centos-bootc/centos-bootc')).toBe(true);
    expect(isImageTag(`quay.io/fedora/fedora-coreos@${D}`)).toBe(false);
    expect(isImageTag(`quay.io/fedora/fedora-coreos:stable@${D}`)).toBe(false);
    expect(isImageTag('ostree-unverified-registry:quay.io/fedora/fedora-coreos:stable')).toBe(false);
    expect(isImageTag('fedora:fedora/x86_64/coreos/stable')).toBe(false);
    expect(isImageTag('43.20251024.3.0')).toBe(false);
  });

  it('a pin keeps the repository and names the digest', () => {
    expect(pinImage(parseImageReference('registry.local:5000/os:1.2')!, D)).toBe(`registry.local:5000/os@${D}`);
  });

  it('a digest target is satisfied by a bootc deployment with that digest, whatever tag it followed', () => {
    const dep = { checksum: D, version: '1', origin: 'quay.io/x/os:stable', imageDigest: D };
    expect(satisfies(dep, `quay.io/x/os@${D}`)).toBe(true);
    expect(satisfies({ ...dep, checksum: `sha256:${'cd'.repeat(32)}`, imageDigest: `sha256:${'cd'.repeat(32)}` }, `quay.io/x/os@${D}`)).toBe(false);
  });

  it('a rollout may target an image with a tag or a digest', () => {
    expect(parseRolloutSpec({ id: 'r1', target: `quay.io/x/os@${D}` }).target).toBe(`quay.io/x/os@${D}`);
    expect(parseRolloutSpec({ id: 'r1', target: 'quay.io/x/os:stable' }).target).toBe('quay.io/x/os:stable');
  });
});
