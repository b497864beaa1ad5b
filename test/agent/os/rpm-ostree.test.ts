// The rpm-ostree backend, replayed from captured real `rpm-ostree status --json`
// outputs (test/fixtures/rpm-ostree/SOURCES.md): rpm-ostree cannot run here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../common/cli.js';
import { makeOsCommand } from '../../../agent/cli/os.js';
import { OsOutputError, TransactionActiveError, UnknownTargetError } from '../../../agent/os/errors.js';
import { RpmOstreeBackend } from '../../../agent/os/rpm-ostree.js';
import { parseRpmOstreeStatus } from '../../../agent/os/rpm-ostree-status.js';
import { RecordedRunner, type Recording } from '../../support/recorded-runner.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/rpm-ostree');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const STATUS = fixture('zincati-rpm-ostree-status.json'); // one booted container-image deployment
const STAGED = fixture('zincati-rpm-ostree-staged.json'); // staged (finalization locked) + booted
const WORKSTATION = fixture('rpm-ostree-workstation-status.json'); // layered, booted default + rollback

/** A real capture with one change, for cases no public capture shows. */
function derive(text: string, change: (doc: { deployments: Record<string, unknown>[]; transaction: unknown }) => void): string {
  const doc = JSON.parse(text) as { deployments: Record<string, unknown>[]; transaction: unknown };
  change(doc);
  return JSON.stringify(doc, null, 2);
}

const STATUS_ARGV = ['rpm-ostree', 'status', '--json'];
const status = (stdout: string, once = true): Recording => ({ argv: STATUS_ARGV, stdout, once });

function backendWith(recordings: Recording[]) {
  const runner = new RecordedRunner(recordings);
  return { runner, backend: new RpmOstreeBackend({ runner }) };
}

describe('rpm-ostree status --json parsing', () => {
  it('reads a booted container-image deployment (origin = image reference)', () => {
    const s = parseRpmOstreeStatus(STATUS);
    expect(s.deployments).toHaveLength(1);
    expect(s.deployments[0]).toEqual({
      id: 'fedora-coreos-36ff46d732a070a1bf10f7157f764e316f99a836dcdbf56702798e5042411fe9.0',
      osname: 'fedora-coreos',
      checksum: '36ff46d732a070a1bf10f7157f764e316f99a836dcdbf56702798e5042411fe9',
      version: '43.20251024.3.0',
      origin: 'ostree-image-signed:docker://quay.io/fedora/fedora-coreos:stable',
      timestamp: 1762837557,
      booted: true,
      staged: false,
      pinned: false,
      index: 0,
    });
    expect(s.booted).toBe(s.deployments[0]);
    expect(s.pending).toBeUndefined();
    expect(s.rollback).toBeUndefined();
    expect(s.transactionActive).toBe(false);
  });

  it('reads a staged deployment in front of the booted one', () => {
    const s = parseRpmOstreeStatus(STAGED);
    expect(s.deployments.map((d) => [d.version, d.staged, d.booted])).toEqual([
      ['31.20200517.3.0', true, false],
      ['31.20200505.3.0', false, true],
    ]);
    expect(s.pending?.checksum).toBe('967b7b8d624e6d10ff51c2e81ef198fae966c567ac2e9b479771c693d0987949');
    expect(s.booted?.index).toBe(1);
    expect(s.rollback).toBe(s.booted);
    expect(s.deployments[0]!.origin).toBe('fedora:fedora/x86_64/coreos/stable');
  });

  it('reads layered deployments with their base commit, and the rollback after the booted one', () => {
    const s = parseRpmOstreeStatus(WORKSTATION);
    expect(s.deployments[0]).toMatchObject({
      version: '33.21',
      checksum: '63335a77f9853618ba1a5f139c5805e82176a2a040ef5e34d7402e12263af5bb',
      baseChecksum: '229387d3c0bb8ad698228ca5702eca72aed8b298a7c800be1dc72bab160a9f7f',
      origin: 'fedora/33/x86_64/silverblue',
      booted: true,
    });
    expect(s.rollback?.version).toBe('33.17');
    expect(s.pending).toBeUndefined();
  });

  it('reads pinned and an active transaction', () => {
    const s = parseRpmOstreeStatus(
      derive(WORKSTATION, (d) => {
        d.deployments[1]!['pinned'] = true;
        d.transaction = ['upgrade', 'client(id:cli dbus:1.45 unit:session-3.scope uid:0)', '/org/projectatomic/rpmostree1/fedora_silverblue'];
      }),
    );
    expect(s.deployments[1]!.pinned).toBe(true);
    expect(s.transactionActive).toBe(true);
    expect(s.transaction?.[0]).toBe('upgrade');
  });

  it.each([
    ['truncated JSON', STAGED.slice(0, STAGED.length / 2), /not JSON/],
    ['not JSON at all', 'error: Unit rpm-ostreed.service failed', /not JSON/],
    ['no deployments array', '{"transaction":null}', /deployments: expected an array/],
    ['a checksum that is not one', derive(STATUS, (d) => (d.deployments[0]!['checksum'] = 'xyz')), /deployments\[0\]\.checksum: expected 64 hex digits/],
    ['booted missing', derive(STAGED, (d) => delete d.deployments[1]!['booted']), /deployments\[1\]\.booted: expected a boolean/],
    ['a string timestamp', derive(STATUS, (d) => (d.deployments[0]!['timestamp'] = 'yesterday')), /timestamp: expected a non-negative integer/],
    ['a transaction that is not a tuple', derive(STATUS, (d) => (d.transaction = 'busy')), /transaction: expected null or an array/],
  ])('rejects %s with a clear error', (_name, text, message) => {
    let err: unknown;
    try {
      parseRpmOstreeStatus(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OsOutputError);
    expect((err as Error).message).toMatch(/^rpm-ostree status --json: unexpected output/);
    expect((err as Error).message).toMatch(message);
  });
});

describe('RpmOstreeBackend', () => {
  it('runs status with RPMOSTREE_CLIENT_ID=hostpilot', async () => {
    const { runner, backend } = backendWith([status(STATUS, false)]);
    await backend.status();
    expect(runner.calls[0]!.argv).toEqual(STATUS_ARGV);
    expect(runner.calls[0]!.env).toEqual({ RPMOSTREE_CLIENT_ID: 'hostpilot' });
  });

  it.each([
    ['upgrade', (b: RpmOstreeBackend) => b.upgrade()],
    ['deploy', (b: RpmOstreeBackend) => b.deploy('33.17')],
    ['rollback', (b: RpmOstreeBackend) => b.rollback()],
    ['cleanup', (b: RpmOstreeBackend) => b.cleanup()],
  ])('refuses to %s while a transaction is active, running nothing else', async (_name, act) => {
    const busy = derive(WORKSTATION, (d) => (d.transaction = ['deploy', 'client(id:zincati)', '/org/projectatomic/rpmostree1/fedora_silverblue']));
    const { runner, backend } = backendWith([status(busy, false)]);
    const err = await act(backend).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransactionActiveError);
    expect((err as Error).message).toMatch(/transaction in progress \(deploy, client\(id:zincati\)/);
    expect(runner.argvs()).toEqual([STATUS_ARGV]);
  });

  it.each([
    ['truncated', WORKSTATION.slice(0, 900)],
    ['malformed', '{"deployments": [ }'],
  ])('stops at %s status JSON before any mutation', async (_name, text) => {
    const { runner, backend } = backendWith([status(text, false)]);
    await expect(backend.upgrade()).rejects.toBeInstanceOf(OsOutputError);
    await expect(backend.deploy('33.17')).rejects.toBeInstanceOf(OsOutputError);
    expect(runner.argvs().every((a) => a.join(' ') === STATUS_ARGV.join(' '))).toBe(true);
  });

  it('upgrade stages with finalization locked; exit 77 means no update', async () => {
    const { runner, backend } = backendWith([
      status(WORKSTATION),
      { argv: ['rpm-ostree', 'upgrade', '--lock-finalization', '--unchanged-exit-77'], exitCode: 77, once: true },
      status(WORKSTATION),
    ]);
    const none = await backend.upgrade();
    expect(none.changed).toBe(false);
    expect(none.message).toMatch(/no update available/);
    expect(runner.calls[1]!.env).toEqual({ RPMOSTREE_CLIENT_ID: 'hostpilot' });
    expect(runner.calls[1]!.okExitCodes).toEqual([0, 77]);

    const { backend: b2 } = backendWith([status(fixture('zincati-rpm-ostree-status.json')), { argv: ['rpm-ostree', 'upgrade', '--lock-finalization', '--unchanged-exit-77'] }, status(STAGED)]);
    const staged = await b2.upgrade();
    expect(staged.changed).toBe(true);
    expect(staged.after.pending?.version).toBe('31.20200517.3.0');
  });

  it('deploys a known version by the base checksum of its deployment', async () => {
    const { runner, backend } = backendWith([
      status(WORKSTATION),
      { argv: ['rpm-ostree', 'deploy', '--lock-finalization', 'revision=deea0555cb7d3eb042df9a85d4efcbb9f70d778a9a9557715c0e398978233cd7'] },
      status(derive(WORKSTATION, (d) => d.deployments.reverse())),
    ]);
    const change = await backend.deploy('33.17');
    expect(change.changed).toBe(true);
    expect(runner.argvs()[1]).toEqual(['rpm-ostree', 'deploy', '--lock-finalization', 'revision=deea0555cb7d3eb042df9a85d4efcbb9f70d778a9a9557715c0e398978233cd7']);
  });

  it('is idempotent: the default version, base checksum or prefix changes nothing and runs nothing', async () => {
    for (const target of ['33.21', '229387d3c0bb8ad698228ca5702eca72aed8b298a7c800be1dc72bab160a9f7f', '63335a77f98', 'fedora/33/x86_64/silverblue']) {
      const { runner, backend } = backendWith([status(WORKSTATION, false)]);
      const change = await backend.deploy(target);
      expect(change.changed, target).toBe(false);
      expect(runner.argvs()).toEqual([STATUS_ARGV]);
    }
  });

  it('deploying the booted version while an update is staged drops the staged one', async () => {
    const { runner, backend } = backendWith([status(STAGED), { argv: ['rpm-ostree', 'cleanup', '-p'] }, status(derive(STAGED, (d) => d.deployments.shift()))]);
    const change = await backend.deploy('31.20200505.3.0');
    expect(change.changed).toBe(true);
    expect(change.after.deployments).toHaveLength(1);
    expect(runner.argvs().map((a) => a.slice(1).join(' '))).toEqual(['status --json', 'cleanup -p', 'status --json']);
  });

  it('asks the daemon for versions and full checksums it has not deployed', async () => {
    const sha = 'a'.repeat(64);
    const { runner, backend } = backendWith([
      status(STATUS),
      { argv: ['rpm-ostree', 'deploy', '--lock-finalization', 'version=44.20260101.3.0'], once: true },
      status(STAGED),
      status(STATUS),
      { argv: ['rpm-ostree', 'deploy', '--lock-finalization', `revision=${sha}`], once: true },
      status(STAGED),
    ]);
    expect((await backend.deploy('44.20260101.3.0')).changed).toBe(true);
    expect((await backend.deploy(sha)).changed).toBe(true);
    expect(runner.argvs().filter((a) => a[1] === 'deploy')).toHaveLength(2);
  });

  it('refuses targets that match nothing with an error naming them', async () => {
    // An unknown prefix cannot be resolved by the daemon: refused before any transaction.
    const { runner, backend } = backendWith([status(STATUS, false)]);
    const err = await backend.deploy('revision=abcdef12345').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownTargetError);
    expect((err as Error).message).toContain('"revision=abcdef12345"');
    expect(runner.argvs()).toEqual([STATUS_ARGV]);

    // A version the remote does not have: rpm-ostree fails, we name the target.
    const { backend: b2 } = backendWith([
      status(STATUS, false),
      { argv: ['rpm-ostree', 'deploy', '--lock-finalization', 'version=99.0'], exitCode: 1, stderr: 'error: Failed to find version 99.0\n' },
    ]);
    const err2 = await b2.deploy('99.0').catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(UnknownTargetError);
    expect((err2 as Error).message).toMatch(/"99.0".*Failed to find version 99.0/);
  });

  it('rebases onto a new refspec or container image', async () => {
    const { runner, backend } = backendWith([
      status(STATUS),
      { argv: ['rpm-ostree', 'rebase', '--lock-finalization', 'ostree-unverified-registry:quay.io/fedora/fedora-coreos:next'] },
      status(STAGED),
    ]);
    const change = await backend.deploy('ostree-unverified-registry:quay.io/fedora/fedora-coreos:next');
    expect(change.changed).toBe(true);
    expect(runner.argvs()[1]![1]).toBe('rebase');
  });

  it('rollback and cleanup -p run only when there is something to do', async () => {
    const { runner, backend } = backendWith([status(WORKSTATION), { argv: ['rpm-ostree', 'rollback'] }, status(derive(WORKSTATION, (d) => d.deployments.reverse()))]);
    const rb = await backend.rollback();
    expect(rb.changed).toBe(true);
    expect(rb.message).toMatch(/33\.17/);
    expect(runner.argvs()[1]).toEqual(['rpm-ostree', 'rollback']);

    const { backend: single } = backendWith([status(STATUS, false)]);
    expect((await single.rollback()).changed).toBe(false);
    expect((await single.cleanup()).changed).toBe(false);

    const { runner: r3, backend: b3 } = backendWith([status(STAGED), { argv: ['rpm-ostree', 'cleanup', '-p'] }, status(derive(STAGED, (d) => d.deployments.shift()))]);
    const cleaned = await b3.cleanup();
    expect(cleaned.changed).toBe(true);
    expect(cleaned.after.deployments).toHaveLength(1);
    expect(r3.argvs()[1]).toEqual(['rpm-ostree', 'cleanup', '-p']);
  });

  it('finalizes only the staged checksum', async () => {
    const staged = '967b7b8d624e6d10ff51c2e81ef198fae966c567ac2e9b479771c693d0987949';
    const { runner, backend } = backendWith([status(STAGED, false), { argv: ['rpm-ostree', 'finalize-deployment', staged] }]);
    await backend.finalizeDeployment(staged);
    expect(runner.argvs()[1]).toEqual(['rpm-ostree', 'finalize-deployment', staged]);
    await expect(backend.finalizeDeployment('b'.repeat(64))).rejects.toBeInstanceOf(UnknownTargetError);
    expect(runner.argvs().filter((a) => a[1] === 'finalize-deployment')).toHaveLength(1);
  });
});

describe('hostpilot-agent os (rpm-ostree, replayed)', () => {
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) }, out, err };
  };

  it('os status --json: stable deployments in boot order', async () => {
    const runner = new RecordedRunner([status(STAGED, false)]);
    const c = io();
    expect(await makeOsCommand(() => runner).main(['status', '--json'], c.io)).toBe(0);
    const doc = JSON.parse(c.out.join('')) as { deployments: Record<string, unknown>[] };
    expect(doc.deployments.map((d) => [d['index'], d['version'], d['staged'], d['booted'], d['pinned']])).toEqual([
      [0, '31.20200517.3.0', true, false, false],
      [1, '31.20200505.3.0', false, true, false],
    ]);
    expect(doc.deployments[0]!['checksum']).toBe('967b7b8d624e6d10ff51c2e81ef198fae966c567ac2e9b479771c693d0987949');
  });

  it('os status: a short table', async () => {
    const runner = new RecordedRunner([status(STAGED, false)]);
    const c = io();
    expect(await makeOsCommand(() => runner).main(['status'], c.io)).toBe(0);
    const lines = c.out.join('').trim().split('\n');
    expect(lines[0]).toMatch(/INDEX\s+VERSION\s+CHECKSUM\s+STATE\s+ORIGIN/);
    expect(lines[1]).toMatch(/^\s+0\s+31\.20200517\.3\.0\s+967b7b8d624e\s+pending,staged\s+fedora:fedora/);
    expect(lines[2]).toMatch(/^\*\s+1\s+31\.20200505\.3\.0\s+01f074cc6cd8\s+booted,rollback/);
  });

  it('bad command lines are usage errors', async () => {
    const cmd = makeOsCommand(() => new RecordedRunner([]));
    const c = io();
    await expect(cmd.main(['status', '--backend', 'rpm-ostree', '--sysroot', '/tmp'], c.io)).rejects.toBeInstanceOf(UsageError);
    await expect(cmd.main(['status', '--backend', 'apt'], c.io)).rejects.toBeInstanceOf(UsageError);
    await expect(cmd.main(['deploy'], c.io)).rejects.toBeInstanceOf(UsageError);
    await expect(cmd.main(['reboot'], c.io)).rejects.toBeInstanceOf(UsageError);
    await expect(cmd.main(['status', '--bogus'], c.io)).rejects.toBeInstanceOf(UsageError);
    expect(await cmd.main(['--help'], c.io)).toBe(0);
    expect(c.out.join('')).toMatch(/Usage: hostpilot-agent os COMMAND/);
  });

  it('a transaction in progress is a one-line error and exit 1', async () => {
    const busy = derive(STATUS, (d) => (d.transaction = ['upgrade', 'client(id:cli)', '/org/projectatomic/rpmostree1/fedora_coreos']));
    const c = io();
    expect(await makeOsCommand(() => new RecordedRunner([status(busy, false)])).main(['upgrade'], c.io)).toBe(1);
    expect(c.err.join('')).toMatch(/^hostpilot-agent os upgrade: rpm-ostree transaction in progress/);
  });
});
