// Target resolution on a REAL OSTree sysroot (issue 15): a host deployed from
// a checksum finds a version that is on a branch of its repository (or of its
// remote) but not in the booted origin's history; an unknown target stages
// nothing, although the remote's branch tip is newer.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { UnknownTargetError } from '../../../agent/os/errors.js';
import { ProcessRunner } from '../../../common/exec/runner.js';
import { commitVersion, createOsRepo, createSysroot, removeSysroot, serveRepo, type CommitResult, type OsRepo, type ServedRepo, type Sysroot } from '../../../lab/ostree-lab.js';
import { describeWith } from '../../support/components.js';

describeWith(['ostree', 'chattr', 'root'], 'ostree target resolution beyond the origin history', () => {
  let dir: string;
  let repo: OsRepo;
  let served: ServedRepo;
  let host: Sysroot;
  const runner = new ProcessRunner();
  const c: Record<string, CommitResult> = {};
  const ostree = async (...args: string[]) => (await runner.run({ argv: ['ostree', ...args], timeoutMs: 120_000 })).stdout;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hostpilot-resolve-'));
    repo = await createOsRepo(join(dir, 'repo'));
    c['1'] = await commitVersion(repo, { ref: 'testos/stable', version: '1' });
    // 41.3 lives only on its own branch, 5 only on a branch the host never pulled.
    c['41.3'] = await commitVersion(repo, { ref: 'testos/next', version: '41.3' });
    c['5'] = await commitVersion(repo, { ref: 'testos/lts', version: '5' });
    served = await serveRepo(repo);
    host = await createSysroot(join(dir, 'host'), { osname: 'testos', remoteUrl: served.url, ref: 'testos/stable' });
    // The host has testos/next in its repository, and is deployed from a checksum (`ostree admin deploy <sha>`).
    await ostree('pull', `--repo=${join(host.path, 'ostree/repo')}`, 'origin', 'testos/next');
    await ostree('admin', `--sysroot=${host.path}`, 'deploy', '--os=testos', '--retain', c['1']!.checksum);
  }, 300_000);

  afterAll(async () => {
    await served?.close();
    if (dir) {
      await removeSysroot(dir);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the host is deployed from a checksum: its origin has no branch', async () => {
    const status = await host.backend.status();
    expect(status.deployments[0]).toMatchObject({ version: '1', origin: c['1']!.checksum });
  });

  it('deploys a version that is on a local branch but not in the origin history', async () => {
    const change = await host.backend.deploy('41.3');
    expect(change.changed).toBe(true);
    expect(change.after.deployments[0]).toMatchObject({ version: '41.3', checksum: c['41.3']!.checksum, origin: 'origin:testos/next' });
  });

  it('deploys a version only the remote has, found on its branches after a metadata-only fetch', async () => {
    const change = await host.backend.deploy('5');
    expect(change.after.deployments[0]).toMatchObject({ version: '5', checksum: c['5']!.checksum, origin: 'origin:testos/lts' });
  });

  it('an unknown target stages nothing, although the branch tip moved on', async () => {
    // The mirror's stable tip is now a 3 nobody asked for.
    c['3'] = await commitVersion(repo, { ref: 'testos/stable', version: '3' });
    const before = await host.backend.status();
    const err = await host.backend.deploy('9.9').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownTargetError);
    expect((err as Error).message).toContain('"9.9"');
    const after = await host.backend.status();
    expect(after.deployments.map((d) => [d.checksum, d.version])).toEqual(before.deployments.map((d) => [d.checksum, d.version]));
    expect(after.deployments.some((d) => d.version === '3')).toBe(false);
    // Only commit metadata of 3 was fetched to look for 9.9, never its content.
    expect(await ostree('ls', `--repo=${join(host.path, 'ostree/repo')}`, c['3']!.checksum, '/usr/lib/os-release').catch((e: Error) => e.message)).toMatch(/not found|No such|partial|error/i);
  });
});
