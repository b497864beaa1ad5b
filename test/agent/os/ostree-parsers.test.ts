// Parsers of ostree's text output, against captured real output (test/fixtures/ostree/SOURCES.md).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OsOutputError } from '../../../agent/os/errors.js';
import { parseOstreeCommits } from '../../../agent/os/ostree-commit.js';
import { parseOstreeAdminStatus } from '../../../agent/os/ostree-status.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../../fixtures/ostree', name), 'utf8');

describe('ostree admin status', () => {
  it('reads a sandbox sysroot: no booted mark, version, pinned, refspec', () => {
    expect(parseOstreeAdminStatus(fixture('admin-status-sandbox-pinned.txt'))).toEqual([
      {
        osname: 'testos',
        checksum: 'd387496c26541da6b4ceac44706fe939b6c66f2415e2408e8398ed63cc29e01f',
        serial: 0,
        booted: false,
        markers: [],
        version: '3',
        pinned: false,
        refspec: 'origin:testos/stable',
      },
      {
        osname: 'testos',
        checksum: '702c1dcd0c3756c8c7af9986fcc375d50860b56f49d80b8087a08f202df94f0d',
        serial: 0,
        booted: false,
        markers: [],
        version: '2',
        pinned: true,
        refspec: '702c1dcd0c3756c8c7af9986fcc375d50860b56f49d80b8087a08f202df94f0d',
      },
    ]);
  });

  it('reads a booted host: the * and the (rollback) marker', () => {
    const entries = parseOstreeAdminStatus(fixture('admin-status-booted-rollback.txt'));
    expect(entries.map((e) => [e.osname, e.serial, e.booted, e.markers, e.refspec.split(':')[0]])).toEqual([
      ['ose', 1, true, [], 'desktop'],
      ['ose', 0, false, ['rollback'], 'desktop'],
    ]);
    const unlocked = parseOstreeAdminStatus(fixture('admin-status-booted-unlocked.txt'));
    expect(unlocked.map((e) => [e.serial, e.booted, e.markers])).toEqual([
      [4, true, []],
      [2, false, ['rollback']],
    ]);
  });

  it('reads staged and several markers, and an empty sysroot', () => {
    const text = fixture('admin-status-booted-rollback.txt').replace('.1\n', '.1 (staged) (finalization locked)\n');
    expect(parseOstreeAdminStatus(text)[0]!.markers).toEqual(['staged', 'finalization locked']);
    expect(parseOstreeAdminStatus('No deployments.\n')).toEqual([]);
  });

  it('refuses output it cannot place', () => {
    const text = fixture('admin-status-sandbox-pinned.txt') + 'something new at column 0\n';
    expect(() => parseOstreeAdminStatus(text)).toThrow(OsOutputError);
  });
});

describe('ostree log / show', () => {
  it('reads checksum, parent, UTC date and version', () => {
    const commits = parseOstreeCommits(fixture('log-three-versions.txt'), 'ostree log');
    expect(commits.map((c) => [c.version, c.checksum.slice(0, 8), c.parent.slice(0, 8)])).toEqual([
      ['3', 'd387496c', '702c1dcd'],
      ['2', '702c1dcd', 'c0e04847'],
      ['1', 'c0e04847', ''],
    ]);
    expect(commits[0]!.timestamp).toBe(Date.UTC(2026, 10, 21, 21, 25, 41) / 1000);
  });

  it('applies a non-UTC offset and rejects an unreadable date', () => {
    const text = `commit ${'a'.repeat(64)}\nDate:  2026-01-01 02:00:00 +0200\n`;
    expect(parseOstreeCommits(text, 'ostree show')[0]!.timestamp).toBe(Date.UTC(2026, 0, 1, 0, 0, 0) / 1000);
    expect(() => parseOstreeCommits(`commit ${'a'.repeat(64)}\nDate: yesterday\n`, 'ostree show')).toThrow(/ostree show: unexpected output/);
  });
});
