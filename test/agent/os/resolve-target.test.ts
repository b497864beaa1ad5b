import { describe, expect, it } from 'vitest';
import { parseTarget } from '../../../common/api/target.js';
import { deriveStatus, type Deployment } from '../../../agent/os/backend.js';
import { AmbiguousTargetError } from '../../../agent/os/errors.js';
import { resolveTarget } from '../../../agent/os/target.js';

const A = 'a1'.repeat(32);
const B = 'b2'.repeat(32);
const AB = 'a1a1a1a1' + 'c'.repeat(56);

describe('resolveTarget', () => {
  const commits = [
    { checksum: A, version: '2' },
    { checksum: B, version: '1' },
    { checksum: AB, version: 'a1a1a1a1' },
    { checksum: A, version: '2' },
  ];
  it('matches versions, checksums and unique prefixes', () => {
    expect(resolveTarget(parseTarget('2'), commits)?.checksum).toBe(A);
    expect(resolveTarget(parseTarget(B), commits)?.version).toBe('1');
    expect(resolveTarget(parseTarget('b2b2b2b'), commits)?.checksum).toBe(B);
    expect(resolveTarget(parseTarget('9'), commits)).toBeUndefined();
    expect(resolveTarget(parseTarget('origin:x'), commits)).toBeUndefined();
  });
  it('prefers an exact version over a checksum prefix for bare hex', () => {
    expect(resolveTarget(parseTarget('a1a1a1a1'), commits)?.checksum).toBe(AB);
  });
  it('refuses a prefix that names two commits', () => {
    expect(() => resolveTarget(parseTarget('revision=a1a1a1a'), commits)).toThrow(AmbiguousTargetError);
  });
});

describe('deriveStatus', () => {
  const d = (index: number, booted: boolean, osname = 'os'): Deployment => ({
    id: `${osname}-${A}.${index}`,
    osname,
    checksum: A,
    version: String(index),
    origin: 'o:r',
    timestamp: 0,
    booted,
    staged: false,
    pinned: false,
    index,
  });
  it('booted default: rollback is the next one', () => {
    const s = deriveStatus([d(0, true), d(1, false)], false);
    expect([s.booted?.index, s.pending?.index, s.rollback?.index]).toEqual([0, undefined, 1]);
  });
  it('pending default: rollback is the booted one', () => {
    const s = deriveStatus([d(0, false), d(1, true), d(2, false)], false);
    expect([s.booted?.index, s.pending?.index, s.rollback?.index]).toEqual([1, 0, 1]);
  });
  it('nothing booted: no pending, rollback is the second', () => {
    const s = deriveStatus([d(0, false), d(1, false)], false);
    expect([s.booted, s.pending, s.rollback?.index]).toEqual([undefined, undefined, 1]);
  });
  it('rollback skips other OS names', () => {
    const s = deriveStatus([d(0, true), d(1, false, 'other'), d(2, false)], false);
    expect(s.rollback?.index).toBe(2);
  });
});
