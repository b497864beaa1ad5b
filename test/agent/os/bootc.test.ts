// The bootc backend, replayed from upstream and captured `bootc status` outputs
// (test/fixtures/SOURCES.md): bootc cannot run on these machines.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeOsCommand } from '../../../agent/cli/os.js';
import { BootcBackend } from '../../../agent/os/bootc.js';
import { parseBootcStatus } from '../../../agent/os/bootc-status.js';
import { IncompatibleHostError, NotBootcHostError, OsOutputError, UnknownTargetError } from '../../../agent/os/errors.js';
import { RecordedRunner, type Recording } from '../../support/recorded-runner.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/bootc');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const STAGED = fixture('spec-staged-booted.json');
const DOWNLOAD_ONLY = fixture('spec-staged-download-only.json');
const WITH_UPDATE = fixture('spec-booted-with-update.json');
const PINNED = fixture('spec-booted-pinned.json');
const V1_NULL = fixture('spec-v1-null.json');
const C9S = fixture('c9s-issue-465-status-booted.json');

type Doc = { spec: Record<string, unknown>; status: Record<string, Record<string, unknown> | boolean | null> };
/** A real output with one change, for a case no public capture shows; each change is named where it is used. */
function derive(text: string, change: (doc: Doc) => void): string {
  const doc = JSON.parse(text) as Doc;
  change(doc);
  return JSON.stringify(doc, null, 2);
}
const entry = (doc: Doc, slot: string) => doc.status[slot] as Record<string, unknown>;

const STAGED_DIGEST = 'sha256:16dc2b6256b4ff0d2ec18d2dbfb06d117904010c8cf9732cdb022818cf7a7566';
const BOOTED_DIGEST = 'sha256:736b359467c9437c1ac915acaae952aad854e07eb4a16a94999a48af08c83c34';
const STATUS_ARGV = ['bootc', 'status', '--format', 'json'];
const HELP_NEW: Recording[] = [
  { argv: ['bootc', 'upgrade', '--help'], stdout: '      --apply\n      --soft-reboot <SOFT_REBOOT>\n      --download-only\n      --from-downloaded\n' },
  { argv: ['bootc', 'switch', '--help'], stdout: '      --apply\n      --soft-reboot <SOFT_REBOOT>\n      --retain\n' },
];
const HELP_OLD: Recording[] = [
  { argv: ['bootc', 'upgrade', '--help'], stdout: '      --apply\n      --check\n' },
  { argv: ['bootc', 'switch', '--help'], stdout: '      --apply\n      --retain\n' },
];
const status = (stdout: string, once = true): Recording => ({ argv: STATUS_ARGV, stdout, once });

function backendWith(recordings: Recording[]) {
  const runner = new RecordedRunner(recordings);
  return { runner, backend: new BootcBackend({ runner }) };
}
const mutations = (runner: RecordedRunner) => runner.argvs().filter((a) => a[1] !== 'status' && !a.includes('--help'));

describe('bootc status --format json parsing', () => {
  it('booted only (CentOS Stream 9, bootc#465): the digest is the checksum, the image reference the origin', () => {
    const s = parseBootcStatus(C9S);
    expect(s.deployments[0]).toEqual({
      id: 'default-ef81c60b6c0e7c3646b2065b8a2fa820583d047dff2af5bb393f2de3a7fdb159.0',
      osname: 'default',
      checksum: 'sha256:321f50bfe1d7357b96c5ae1bd167a73c8e35da3148c588647e28706af2f84ba6',
      version: 'stream9.20240408.0',
      origin: 'quay.io/redhat_emp1/centos-bootc-dev-test:efvi',
      timestamp: 0,
      booted: true,
      staged: false,
      pinned: false,
      index: 0,
      bootc: { image: 'quay.io/redhat_emp1/centos-bootc-dev-test:efvi', ostreeChecksum: 'ef81c60b6c0e7c3646b2065b8a2fa820583d047dff2af5bb393f2de3a7fdb159', incompatible: false, softRebootCapable: false, downloadOnly: false },
    });
    // The rollback entry (its ostree part is not in the capture: SOURCES.md) follows the booted one.
    expect(s.rollback?.checksum).toBe('sha256:8567933fb840bd38804f9f0226d6edec9630d46506cdf83347152ee6961ec621');
    expect(s.rollback?.origin).toBe('localhost/centos-bootc-dev-test:efvi');
    expect(s.pending).toBeUndefined();
    expect(s.specImage).toBe('quay.io/redhat_emp1/centos-bootc-dev-test:efvi');
    expect(s.incompatible).toBe(false);
  });

  it('staged in front of booted: the staged image is pending, the booted one the rollback', () => {
    const s = parseBootcStatus(STAGED);
    expect(s.deployments.map((d) => [d.checksum, d.version, d.staged, d.booted, d.timestamp])).toEqual([
      [STAGED_DIGEST, 'nightly', true, false, 1697311335],
      [BOOTED_DIGEST, 'nightly', false, true, 1696101736],
    ]);
    expect(s.pending).toBe(s.deployments[0]);
    expect(s.rollback).toBe(s.booted);
    expect(s.deployments[0]!.bootc?.downloadOnly).toBe(false);
  });

  it('download-only: the staged deployment says so (a shutdown does not apply it)', () => {
    const s = parseBootcStatus(DOWNLOAD_ONLY);
    expect(s.pending?.bootc?.downloadOnly).toBe(true);
    expect(s.booted?.bootc?.downloadOnly).toBe(false);
  });

  it('a cached update (upgrade --check) is kept, not counted as a deployment', () => {
    const s = parseBootcStatus(WITH_UPDATE);
    expect(s.deployments).toHaveLength(1);
    expect(s.cachedUpdate).toEqual({ version: 'stream9.20240901.0', digest: 'sha256:' + 'a0'.repeat(32) });
  });

  it('otherDeployments come after the rollback slot, pinned', () => {
    const s = parseBootcStatus(PINNED);
    expect(s.deployments.map((d) => [d.booted, d.pinned])).toEqual([
      [true, true],
      [false, true],
    ]);
  });

  it('a host bootc does not manage (v1, everything null) has no deployments', () => {
    const s = parseBootcStatus(V1_NULL);
    expect(s.deployments).toEqual([]);
    expect(s.booted).toBeUndefined();
  });

  it('rollback queued: the rollback deployment boots next, the booted one is the rollback then', () => {
    // Derived: bootc#465's capture with `rollbackQueued: true` (what `bootc rollback` sets).
    const s = parseBootcStatus(derive(C9S, (d) => (d.status['rollbackQueued'] = true)));
    expect(s.rollbackQueued).toBe(true);
    expect(s.deployments.map((d) => d.origin)).toEqual(['localhost/centos-bootc-dev-test:efvi', 'quay.io/redhat_emp1/centos-bootc-dev-test:efvi']);
    expect(s.pending?.origin).toBe('localhost/centos-bootc-dev-test:efvi');
    expect(s.rollback).toBe(s.booted);
  });

  it('incompatible (client-side layering) and soft-reboot capable are read per deployment', () => {
    // Derived: the booted entry `incompatible: true`; the staged one `softRebootCapable: true`.
    const s = parseBootcStatus(
      derive(STAGED, (d) => {
        entry(d, 'booted')['incompatible'] = true;
        entry(d, 'staged')['softRebootCapable'] = true;
      }),
    );
    expect(s.incompatible).toBe(true);
    expect(s.booted?.bootc?.incompatible).toBe(true);
    expect(s.pending?.bootc?.softRebootCapable).toBe(true);
  });

  it('broken output is an error naming the problem', () => {
    expect(() => parseBootcStatus(STAGED.slice(0, 300))).toThrow(OsOutputError);
    expect(() => parseBootcStatus(STAGED.slice(0, 300))).toThrow(/not JSON/);
    expect(() => parseBootcStatus('apiVersion: org.containers.bootc/v1\n')).toThrow(/not JSON/);
    expect(() => parseBootcStatus(derive(STAGED, (d) => ((d as Record<string, unknown>)['kind'] = 'Pod')))).toThrow(/kind: expected "BootcHost"/);
    expect(() => parseBootcStatus(derive(STAGED, (d) => ((entry(d, 'staged')['image'] as Record<string, unknown>)['imageDigest'] = 'sha256:xyz')))).toThrow(/status\.staged\.image\.imageDigest: expected sha256/);
    expect(() => parseBootcStatus(derive(STAGED, (d) => (entry(d, 'booted')['pinned'] = 'no')))).toThrow(/status\.booted\.pinned: expected a boolean/);
    expect(() => parseBootcStatus(derive(STAGED, (d) => (d.status['otherDeployments'] = {} as never)))).toThrow(/otherDeployments: expected an array/);
  });
});

describe('BootcBackend', () => {
  it('falls back to `status --json` on a bootc older than --format (0.1.13) and keeps using it', async () => {
    const { runner, backend } = backendWith([
      { argv: STATUS_ARGV, exitCode: 2, stderr: "error: unexpected argument '--format' found\n\nUsage: bootc status [OPTIONS]\n" },
      { argv: ['bootc', 'status', '--json'], stdout: C9S },
    ]);
    expect((await backend.status()).booted?.version).toBe('stream9.20240408.0');
    await backend.status();
    expect(runner.argvs()).toEqual([STATUS_ARGV, ['bootc', 'status', '--json'], ['bootc', 'status', '--json']]);
  });

  it('a status that fails for another reason is not retried', async () => {
    const { backend } = backendWith([{ argv: STATUS_ARGV, exitCode: 1, stderr: 'error: Status: Acquiring sysroot: opening lock: Permission denied' }]);
    await expect(backend.status()).rejects.toThrow(/Permission denied/);
  });

  it('upgrade downloads only (bootc >= 1.12): the update waits for the reboot lock', async () => {
    const { runner, backend } = backendWith([status(C9S), ...HELP_NEW, { argv: ['bootc', 'upgrade', '--download-only'] }, status(DOWNLOAD_ONLY)]);
    const change = await backend.upgrade();
    expect(change.changed).toBe(true);
    expect(change.message).toMatch(/download-only/);
    expect(mutations(runner)).toEqual([['bootc', 'upgrade', '--download-only']]);
  });

  it('deploys a digest target: switch, then upgrade --download-only locks what the switch staged', async () => {
    const target = `quay.io/example/someimage@${STAGED_DIGEST}`;
    const { runner, backend } = backendWith([status(C9S), ...HELP_NEW, { argv: ['bootc', 'switch', target] }, { argv: ['bootc', 'upgrade', '--download-only'] }, status(DOWNLOAD_ONLY)]);
    const change = await backend.deploy(target);
    expect(change.changed).toBe(true);
    expect(change.after.pending?.checksum).toBe(STAGED_DIGEST);
    expect(mutations(runner)).toEqual([
      ['bootc', 'switch', target],
      ['bootc', 'upgrade', '--download-only'],
    ]);
  });

  it('uses `switch --download-only` where bootc has it', async () => {
    const target = `quay.io/example/someimage@${STAGED_DIGEST}`;
    const help = [HELP_NEW[0]!, { argv: ['bootc', 'switch', '--help'], stdout: '      --apply\n      --download-only\n' }];
    const { runner, backend } = backendWith([status(C9S), ...help, { argv: ['bootc', 'switch', '--download-only', target] }, status(DOWNLOAD_ONLY)]);
    await backend.deploy(target);
    expect(mutations(runner)).toEqual([['bootc', 'switch', '--download-only', target]]);
  });

  it('a tag the host already follows is an upgrade (fetch what the tag names now)', async () => {
    const { runner, backend } = backendWith([status(STAGED), ...HELP_NEW, { argv: ['bootc', 'upgrade', '--download-only'] }, status(DOWNLOAD_ONLY)]);
    await backend.deploy('quay.io/example/someimage:latest');
    expect(mutations(runner)).toEqual([['bootc', 'upgrade', '--download-only']]);
  });

  it('on a bootc without --download-only it stages the classic way and says which version is needed', async () => {
    const target = `quay.io/example/someimage@${STAGED_DIGEST}`;
    const warnings: string[] = [];
    const runner = new RecordedRunner([status(C9S), ...HELP_OLD, { argv: ['bootc', 'switch', target] }, status(STAGED)]);
    const log = { warn: (m: string) => warnings.push(m) } as unknown as import('../../../common/log.js').Logger;
    const backend = new BootcBackend({ runner, logger: log });
    const change = await backend.deploy(target);
    expect(change.changed).toBe(true);
    expect(change.message).not.toMatch(/download-only/);
    expect(mutations(runner)).toEqual([['bootc', 'switch', target]]);
    expect(warnings.join('\n')).toMatch(/bootc >= 1\.12\.0/);
  });

  it('a digest that is already the default changes nothing', async () => {
    const { runner, backend } = backendWith([status(C9S, false)]);
    const change = await backend.deploy('quay.io/redhat_emp1/centos-bootc-dev-test@sha256:321f50bfe1d7357b96c5ae1bd167a73c8e35da3148c588647e28706af2f84ba6');
    expect(change.changed).toBe(false);
    expect(mutations(runner)).toEqual([]);
  });

  it('an rpm-ostree style image reference (with a transport) is refused naming the bare form; nothing runs', async () => {
    const { runner, backend } = backendWith([status(C9S)]);
    await expect(backend.deploy('ostree-unverified-registry:quay.io/example/someimage:latest')).rejects.toThrow(/target: .*bootc takes a registry image without a transport prefix \(quay\.io\/example\/someimage:latest\)/);
    expect(mutations(runner)).toEqual([]);
  });

  it('an image the registry does not have is an unknown target', async () => {
    const target = `quay.io/example/nope@${STAGED_DIGEST}`;
    const { backend } = backendWith([status(C9S), ...HELP_NEW, { argv: ['bootc', 'switch', target], exitCode: 1, stderr: 'error: Switching: Pulling: reading manifest: manifest unknown' }]);
    await expect(backend.deploy(target)).rejects.toBeInstanceOf(UnknownTargetError);
  });

  it('a version names a deployment here: the rollback one is made the default with bootc rollback', async () => {
    const { runner, backend } = backendWith([status(STAGED.replace(/"version": "nightly"/, '"version": "new"')), { argv: ['bootc', 'rollback'] }, status(STAGED)]);
    // Derived above: the staged entry's version renamed "new", so "nightly" names the booted one only.
    await expect(backend.deploy('nightly')).resolves.toMatchObject({ changed: false });
    expect(mutations(runner)).toEqual([]);
    const other = backendWith([status(C9S), { argv: ['bootc', 'rollback'] }, status(derive(C9S, (d) => (d.status['rollbackQueued'] = true)))]);
    await expect(other.backend.deploy('sha256:8567933fb840')).resolves.toMatchObject({ changed: true });
    expect(mutations(other.runner)).toEqual([['bootc', 'rollback']]);
  });

  it('rollback runs bootc rollback; with none there is nothing to do', async () => {
    const queued = derive(C9S, (d) => (d.status['rollbackQueued'] = true));
    const { runner, backend } = backendWith([status(C9S), { argv: ['bootc', 'rollback'] }, status(queued)]);
    const change = await backend.rollback();
    expect(change.changed).toBe(true);
    expect(change.after.pending?.origin).toBe('localhost/centos-bootc-dev-test:efvi');
    expect(mutations(runner)).toEqual([['bootc', 'rollback']]);
    const none = backendWith([status(WITH_UPDATE)]);
    expect((await none.backend.rollback()).changed).toBe(false);
  });

  it('refuses an incompatible host and says to use the rpm-ostree backend; runs nothing', async () => {
    // Derived: the booted entry `incompatible: true` (rpm-ostree layered packages).
    const layered = derive(C9S, (d) => (entry(d, 'booted')['incompatible'] = true));
    const { runner, backend } = backendWith([status(layered, false)]);
    for (const op of [() => backend.upgrade(), () => backend.deploy(`quay.io/x/y@${STAGED_DIGEST}`), () => backend.rollback(), () => backend.applyStaged(STAGED_DIGEST, false)]) {
      const err = await op().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IncompatibleHostError);
      expect((err as Error).message).toMatch(/use the rpm-ostree backend/);
    }
    expect(mutations(runner)).toEqual([]);
  });

  it('refuses a host with no booted image (not deployed by bootc)', async () => {
    const { backend } = backendWith([status(V1_NULL, false)]);
    await expect(backend.upgrade()).rejects.toBeInstanceOf(NotBootcHostError);
  });

  it('applies the staged download under the lock, soft when asked; refuses a digest that is not the staged one', async () => {
    const { runner, backend } = backendWith([status(DOWNLOAD_ONLY, false), ...HELP_NEW, { argv: ['bootc', 'upgrade', '--from-downloaded', '--apply', '--soft-reboot=auto'] }, { argv: ['bootc', 'upgrade', '--from-downloaded', '--apply'] }]);
    expect(await backend.applyStaged(STAGED_DIGEST, true)).toBe(true);
    expect(await backend.applyStaged(STAGED_DIGEST, false)).toBe(true);
    await expect(backend.applyStaged(BOOTED_DIGEST, false)).rejects.toBeInstanceOf(UnknownTargetError);
    expect(mutations(runner)).toEqual([
      ['bootc', 'upgrade', '--from-downloaded', '--apply', '--soft-reboot=auto'],
      ['bootc', 'upgrade', '--from-downloaded', '--apply'],
    ]);
  });

  it('an old bootc cannot apply a download: the caller reboots the usual way', async () => {
    const { runner, backend } = backendWith([status(STAGED, false), ...HELP_OLD]);
    expect(await backend.applyStaged(STAGED_DIGEST, true)).toBe(false);
    expect(mutations(runner)).toEqual([]);
  });
});

describe('hostpilot-agent os status --backend bootc', () => {
  function io() {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) } };
  }

  it('--json: deployments in boot order with version, checksum (the digest), image, booted, staged, pinned', async () => {
    const cmd = makeOsCommand(() => new RecordedRunner([status(DOWNLOAD_ONLY)]));
    const c = io();
    expect(await cmd.main(['status', '--json', '--backend', 'bootc'], c.io)).toBe(0);
    const doc = JSON.parse(c.out.join('')) as { deployments: Array<Record<string, unknown>>; backend: string; backendReason: string };
    expect(doc.backend).toBe('bootc');
    expect(doc.backendReason).toBe('chosen with --backend');
    expect(doc.deployments.map((d) => [d['version'], d['checksum'], d['image'], d['booted'], d['staged'], d['pinned'], d['downloadOnly']])).toEqual([
      ['nightly', STAGED_DIGEST, 'quay.io/example/someimage:latest', false, true, false, true],
      ['nightly', BOOTED_DIGEST, 'quay.io/example/someimage:latest', true, false, false, false],
    ]);
  });

  it('an incompatible host: one line naming the rpm-ostree backend, exit 1', async () => {
    const layered = derive(C9S, (d) => (entry(d, 'booted')['incompatible'] = true));
    const cmd = makeOsCommand(() => new RecordedRunner([status(layered, false)]));
    const c = io();
    expect(await cmd.main(['upgrade', '--backend', 'bootc'], c.io)).toBe(1);
    expect(c.err.join('')).toMatch(/^hostpilot-agent os upgrade: bootc cannot manage this host: .*use the rpm-ostree backend/);
  });
});
