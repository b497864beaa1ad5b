// The ostree backend against REAL OSTree sysroots: a served archive repository
// as the remote, sandbox sysroots pulling from it, the sandbox boot marker as
// the booted deployment.
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeOsCommand } from '../../../agent/cli/os.js';
import { ProcessRunner } from '../../../common/exec/runner.js';
import type { OsStatus } from '../../../agent/os/backend.js';
import { UnknownTargetError } from '../../../agent/os/errors.js';
import { UnavailableError } from '../../../common/errors.js';
import { commitVersion, createOsRepo, createSysroot, removeSysroot, serveRepo, type CommitResult, type OsRepo, type ServedRepo, type Sysroot } from '../../../lab/ostree-lab.js';
import { bootDefaultDeployment, readSandboxMarker } from '../../../agent/os/sandbox-boot.js';
import { describeWith } from '../../support/components.js';

const REF = 'testos/stable';
const versions = (s: OsStatus) => s.deployments.map((d) => d.version);

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) }, out, err };
}

describeWith(['ostree', 'chattr', 'root'], 'ostree backend on a real sysroot', () => {
  let dir: string;
  let repo: OsRepo;
  let served: ServedRepo;
  let host: Sysroot;
  const commits: Record<string, CommitResult> = {};

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hostpilot-os-'));
    repo = await createOsRepo(join(dir, 'repo'));
    commits['1'] = await commitVersion(repo, { ref: REF, version: '1' });
    served = await serveRepo(repo);
    host = await createSysroot(join(dir, 'host'), { osname: 'testos', remoteUrl: served.url, ref: REF });
  });

  afterAll(async () => {
    await served?.close();
    if (dir) {
      await removeSysroot(dir);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports the sandbox-booted first deployment', async () => {
    const status = await host.backend.status();
    expect(status.deployments).toHaveLength(1);
    const d = status.deployments[0]!;
    expect(d).toMatchObject({
      osname: 'testos',
      checksum: commits['1']!.checksum,
      version: '1',
      origin: 'origin:testos/stable',
      booted: true,
      staged: false,
      pinned: false,
      index: 0,
      id: `testos-${commits['1']!.checksum}.0`,
    });
    expect(d.timestamp).toBeGreaterThan(1_600_000_000);
    expect(status.booted).toBe(d);
    expect(status.pending).toBeUndefined();
    expect(status.rollback).toBeUndefined();
    expect(status.transactionActive).toBe(false);
  });

  it('upgrade pulls the newest commit from the served repo; a second upgrade changes nothing', async () => {
    commits['2'] = await commitVersion(repo, { ref: REF, version: '2' });
    commits['3'] = await commitVersion(repo, { ref: REF, version: '3', files: { 'usr/lib/hostpilot/health.d/10-ok': { content: '#!/bin/sh\nexit 0\n', mode: 0o755 } } });
    const change = await host.backend.upgrade();
    expect(change.changed).toBe(true);
    expect(versions(change.after)).toEqual(['3', '1']);
    expect(change.after.pending?.checksum).toBe(commits['3']!.checksum);
    expect(change.after.booted?.version).toBe('1');
    expect(change.after.rollback?.version).toBe('1');

    const again = await host.backend.upgrade();
    expect(again.changed).toBe(false);
    expect(again.message).toMatch(/already at the newest/);
    expect(versions(await host.backend.status())).toEqual(['3', '1']);
  });

  it('deploys an older version from the remote history, replacing the pending one like a booted host', async () => {
    const change = await host.backend.deploy('2');
    expect(change.changed).toBe(true);
    const after = await host.backend.status();
    expect(versions(after)).toEqual(['2', '1']);
    expect(after.deployments[0]!.checksum).toBe(commits['2']!.checksum);
    // The origin stays the branch, so a later upgrade still follows it.
    expect(after.deployments[0]!.origin).toBe('origin:testos/stable');
    expect(after.booted?.version).toBe('1');
  });

  it('is idempotent: deploying the default again changes nothing', async () => {
    const before = await host.backend.status();
    const again = await host.backend.deploy('version=2');
    expect(again.changed).toBe(false);
    expect((await host.backend.status()).deployments.map((d) => d.id)).toEqual(before.deployments.map((d) => d.id));
    const byChecksum = await host.backend.deploy(commits['2']!.checksum);
    expect(byChecksum.changed).toBe(false);
  });

  it('deploying the booted commit by checksum prefix drops the pending deployment', async () => {
    const change = await host.backend.deploy(commits['1']!.checksum.slice(0, 10));
    expect(change.changed).toBe(true);
    const after = await host.backend.status();
    expect(versions(after)).toEqual(['1']);
    expect(after.deployments[0]!.booted).toBe(true);
    expect(after.pending).toBeUndefined();
  });

  it('deploys by full checksum, then boots it in the sandbox', async () => {
    const change = await host.backend.deploy(commits['3']!.checksum);
    expect(change.changed).toBe(true);
    expect(versions(change.after)).toEqual(['3', '1']);
    const markerBefore = await readSandboxMarker(host.path);
    const booted = await bootDefaultDeployment(host.backend);
    expect(booted.version).toBe('3');
    const marker = await readSandboxMarker(host.path);
    expect(marker?.checksum).toBe(commits['3']!.checksum);
    expect(marker?.bootId).not.toBe(markerBefore?.bootId);
    expect(marker?.bootCount).toBe((markerBefore?.bootCount ?? 0) + 1);
    const status = await host.backend.status();
    expect(status.booted?.version).toBe('3');
    // The booted deployment's tree carries the files its commit shipped.
    const health = join(host.backend.deploymentPath(status.booted!), 'usr/lib/hostpilot/health.d/10-ok');
    expect(statSync(health).mode & 0o777).toBe(0o755);
    expect(status.pending).toBeUndefined();
    expect(status.rollback?.version).toBe('1');
  });

  it('rollback makes the previous deployment the default again, keeping the booted one', async () => {
    const change = await host.backend.rollback();
    expect(change.changed).toBe(true);
    expect(versions(change.after)).toEqual(['1', '3']);
    expect(change.after.pending?.version).toBe('1');
    expect(change.after.booted?.version).toBe('3');
    // Rolling back again returns to the booted deployment (the pending one goes).
    const back = await host.backend.rollback();
    expect(back.changed).toBe(true);
    expect(versions(back.after)).toEqual(['3']);
    expect(back.after.booted?.index).toBe(0);
    const none = await host.backend.rollback();
    expect(none.changed).toBe(false);
    expect(none.message).toMatch(/no rollback/);
  });

  it('refuses unknown targets with an error naming them, changing nothing', async () => {
    const before = (await host.backend.status()).deployments.map((d) => d.id);
    for (const target of ['9.9', 'deadbeef00', 'origin:testos/nosuch']) {
      const err = await host.backend.deploy(target).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnknownTargetError);
      expect((err as Error).message).toContain(JSON.stringify(target));
    }
    expect((await host.backend.status()).deployments.map((d) => d.id)).toEqual(before);
  });

  it('pins a deployment so a later deploy keeps it; pin and unpin are idempotent', async () => {
    await host.backend.deploy('2'); // [2 pending, 3 booted]
    const pin = await host.backend.pin(0);
    expect(pin.changed).toBe(true);
    expect(pin.after.deployments[0]).toMatchObject({ version: '2', pinned: true });
    expect((await host.backend.pin(0)).changed).toBe(false);

    await host.backend.deploy('1'); // a booted host keeps new + booted + pinned
    const status = await host.backend.status();
    expect(status.deployments.map((d) => [d.version, d.pinned, d.booted])).toEqual([
      ['1', false, false],
      ['2', true, false],
      ['3', false, true],
    ]);
    expect((await host.backend.pin(1, false)).changed).toBe(true);
    expect((await host.backend.pin(1, false)).changed).toBe(false);
  });

  it('cleanup removes the pending deployment; then has nothing to do', async () => {
    const change = await host.backend.cleanup();
    expect(change.changed).toBe(true);
    expect(change.after.deployments[0]!.version).not.toBe('1');
    // Whatever is left in front of the booted one is pending too; clean until none.
    while ((await host.backend.status()).pending) await host.backend.cleanup();
    const done = await host.backend.cleanup();
    expect(done.changed).toBe(false);
    expect(versions(done.after)).toEqual(['3']);
  });

  it('CLI: os status --json and os deploy with options after the subcommand', async () => {
    const cmd = makeOsCommand(() => new ProcessRunner());
    const c1 = capture();
    expect(await cmd.main(['status', '--json', '--backend', 'ostree', '--sysroot', host.path], c1.io)).toBe(0);
    const doc = JSON.parse(c1.out.join('')) as { deployments: Record<string, unknown>[] };
    expect(doc.deployments).toHaveLength(1);
    expect(doc.deployments[0]).toMatchObject({ version: '3', checksum: commits['3']!.checksum, booted: true, staged: false, pinned: false });

    const c2 = capture();
    expect(await cmd.main(['deploy', '2', '--backend=ostree', `--sysroot=${host.path}`], c2.io)).toBe(0);
    expect(c2.out.join('')).toMatch(/deployed 2/);
    expect(c2.out.join('')).toMatch(/^\s+0\s+2\s/m);

    const c3 = capture();
    expect(await cmd.main(['deploy', 'v404', '--backend', 'ostree', '--sysroot', host.path], c3.io)).toBe(1);
    expect(c3.err.join('')).toContain('"v404"');

    const c4 = capture();
    expect(await cmd.main(['status', '--backend', 'ostree', '--sysroot', host.path], c4.io)).toBe(0);
    expect(c4.out.join('')).toMatch(/VERSION/);
    expect(c4.out.join('')).toMatch(/^\*\s+1\s+3\s+\S+\s+booted,rollback/m);
  });

  it('the built binary: hostpilot-agent os status --json / an unknown target exits 1 naming it', async () => {
    const main = join(import.meta.dirname, '../../../dist/agent/main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build first (CI builds dist/ before the tests)`);
    const runner = new ProcessRunner();
    const ok = await runner.run({ argv: [process.execPath, main, 'os', 'status', '--json', '--backend', 'ostree', '--sysroot', host.path] });
    const doc = JSON.parse(ok.stdout) as { deployments: { version: string; booted: boolean }[] };
    expect(doc.deployments.find((d) => d.booted)?.version).toBe('3');
    const bad = await runner.run({ argv: [process.execPath, main, 'os', 'deploy', 'no-such-9', '--backend', 'ostree', '--sysroot', host.path], okExitCodes: [1] });
    expect(bad.stderr).toMatch(/"no-such-9"/);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    const usage = await runner.run({ argv: [process.execPath, main, 'os', 'status', '--frobnicate'], okExitCodes: [2] });
    expect(usage.stderr).toMatch(/frobnicate/);
  });

  it('upgrade with the mirror down is UnavailableError and changes nothing', async () => {
    const mirror = await serveRepo(repo);
    const lonely = await createSysroot(join(dir, 'lonely'), { osname: 'testos', remoteUrl: mirror.url, ref: REF });
    await mirror.close();
    const before = (await lonely.backend.status()).deployments.map((d) => d.id);
    const err = await lonely.backend.upgrade().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toMatch(/ostree pull testos\/stable from remote origin failed/);
    expect((await lonely.backend.status()).deployments.map((d) => d.id)).toEqual(before);
    await removeSysroot(lonely.path);
  });

  it('creates several sysroots from one served repo in parallel', async () => {
    const many = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => createSysroot(join(dir, `fleet-${i}`), { osname: 'testos', remoteUrl: served.url, ref: REF })));
    for (const s of many) {
      const status = await s.backend.status();
      expect(status.deployments).toHaveLength(1);
      expect(status.booted?.checksum).toBe(commits['3']!.checksum);
    }
    // Changes through one backend are serialized, in call order.
    const [a, b] = await Promise.all([many[0]!.backend.deploy('2'), many[0]!.backend.deploy('1')]);
    expect(versions(a.after)).toEqual(['2', '3']);
    expect(versions(b.after)).toEqual(['1', '3']);
    expect(versions(await many[0]!.backend.status())).toEqual(['1', '3']);
    await Promise.all(many.map((s) => removeSysroot(s.path)));
  });
});
