// Image references as OS targets: which texts are images (and tags or digests),
// and which stay versions, checksums and ostree refspecs.
import { describe, expect, it } from 'vitest';
import { imageSatisfies, isImageTag, parseImageRef } from '../../common/api/image-ref.js';
import { parseRolloutSpec } from '../../common/api/rollout-spec.js';

const D = `sha256:${'ab'.repeat(32)}`;

describe('image references', () => {
  it('parses a tag, a digest, a port, and tag@digest', () => {
    expect(parseImageRef('quay.io/fedora/fedora-coreos:stable')).toEqual({ repository: 'quay.io/fedora/fedora-coreos', tag: 'stable' });
    expect(parseImageRef(`quay.io/fedora/fedora-coreos@${D}`)).toEqual({ repository: 'quay.io/fedora/fedora-coreos', digest: D });
    expect(parseImageRef('registry.local:5000/os:1.2')).toEqual({ repository: 'registry.local:5000/os', tag: '1.2' });
    expect(parseImageRef(`localhost/os:efvi@${D}`)).toEqual({ repository: 'localhost/os', tag: 'efvi', digest: D });
    expect(parseImageRef('quay.io/centos-bootc/centos-bootc')).toEqual({ repository: 'quay.io/centos-bootc/centos-bootc' });
  });

  it('leaves versions, checksums and ostree refspecs alone', () => {
    for (const text of ['43.20251024.3.0', 'a'.repeat(64), 'fedora:fedora/x86_64/coreos/stable', 'fedora/33/x86_64/silverblue', 'os:testos/stable', 'ostree-image-signed:docker://quay.io/fedora/fedora-coreos:stable', `quay.io/x@sha256:short`, 'quay.io/UPPER/case:1']) {
      expect(parseImageRef(text), text).toBeUndefined();
    }
  });

  it('a tag moves, a digest does not; a digest is satisfied by that digest only', () => {
    expect(isImageTag('quay.io/fedora/fedora-coreos:stable')).toBe(true);
    expect(isImageTag(`quay.io/fedora/fedora-coreos@${D}`)).toBe(false);
    expect(isImageTag('2.0')).toBe(false);
    expect(imageSatisfies({ checksum: D, origin: 'quay.io/x/os:stable' }, `quay.io/x/os@${D}`)).toBe(true);
    expect(imageSatisfies({ checksum: `sha256:${'cd'.repeat(32)}`, origin: `quay.io/x/os@${D}` }, `quay.io/x/os@${D}`)).toBe(false);
    expect(imageSatisfies({ checksum: D, origin: 'quay.io/x/os:stable' }, 'quay.io/x/os:stable')).toBe(true);
    expect(imageSatisfies({ checksum: D, origin: 'x' }, '2.0')).toBeUndefined();
  });

  it('a rollout may target an image with a tag or a digest', () => {
    expect(parseRolloutSpec({ id: 'r1', target: `quay.io/x/os@${D}` }).target).toBe(`quay.io/x/os@${D}`);
    expect(parseRolloutSpec({ id: 'r1', target: 'quay.io/x/os:stable' }).target).toBe('quay.io/x/os:stable');
    expect(() => parseRolloutSpec({ id: 'r1', target: 'quay.io/x/os stable' })).toThrow(/target: .*image reference/);
  });
});
