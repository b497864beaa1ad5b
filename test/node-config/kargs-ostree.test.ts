// Kernel arguments on a REAL OSTree sysroot (lab/): `ostree admin kargs
// edit-in-place` appends, deletes go through `--delete-if-present` or, on an
// ostree without it (2022.7 here), `instutil set-kargs`; a config that changes
// them is staged for the reboot flow and counts as applied once the node booted
// again, and an OS update deployed meanwhile boots with them (one reboot).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { OstreeKargs } from '../../agent/node-config/kargs.js';
import { readSandboxMarker } from '../../agent/os/sandbox-marker.js';
import { bootDefaultDeployment } from '../../agent/os/sandbox-boot.js';
import { ProcessRunner } from '../../common/exec/runner.js';
import { commitVersion, createOsRepo, createSysroot, removeSysroot, serveRepo, type ServedRepo, type Sysroot } from '../../lab/ostree-lab.js';
import { describeWith } from '../support/components.js';
import { desired, nodeConfigAgent, rendered } from './support.js';

describeWith(['ostree', 'chattr', 'root', 'getent'], 'kernel arguments on a real ostree sysroot', () => {
  let dir: string;
  let served: ServedRepo;
  let host: Sysroot;
  const runner = new ProcessRunner();
  let kargs: OstreeKargs;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hostpilot-kargs-'));
    const repo = await createOsRepo(join(dir, 'repo'));
    await commitVersion(repo, { ref: 'testos/stable', version: '1' });
    served = await serveRepo(repo);
    host = await createSysroot(join(dir, 'host'), { osname: 'testos', remoteUrl: served.url, ref: 'testos/stable' });
    await commitVersion(repo, { ref: 'testos/stable', version: '2' });
    kargs = new OstreeKargs(runner, host.path);
    await runner.run({ argv: ['ostree', 'admin', `--sysroot=${host.path}`, 'kargs', 'edit-in-place', '--append-if-missing=rhgb', '--append-if-missing=console=tty0'] });
  }, 300_000);

  afterAll(async () => {
    await served?.close();
    if (dir) {
      await removeSysroot(dir);
      await rm(dir, { recursive: true, force: true });
    }
  });

  const bootId = async () => (await readSandboxMarker(host.path))!.bootId;

  it('stages appends and deletes, waits for the reboot, and counts the config applied after it; an OS update deployed meanwhile boots with them', async () => {
    expect(await kargs.current()).toEqual(expect.arrayContaining(['rhgb', 'console=tty0']));
    const id = await bootId();
    const stateDir = join(dir, 'state');
    const root = join(dir, 'root');
    const before = nodeConfigAgent({ root, stateDir, kargs, bootId: () => id });
    const config = rendered({ files: [{ path: '/etc/hp-kargs', mode: 0o644, contents: 'x\n' }], kernelArguments: { append: ['hp.test=1', 'quiet'], delete: ['rhgb', 'console'] } });
    const d = desired(config, 'reboot');
    await before.agent.setDesired(d);

    const staged = await kargs.current();
    expect(staged).toEqual(expect.arrayContaining(['hp.test=1', 'quiet']));
    expect(staged.some((a) => a === 'rhgb' || a.startsWith('console='))).toBe(false);
    expect(staged.some((a) => a.startsWith('ostree=/ostree/boot.'))).toBe(true);
    // Staged, not applied: the reboot flow asks rebootPending() and reboots under the lock.
    expect(before.agent.rebootPending()).toBe(true);
    expect(before.agent.appliedHash).toBe('');
    expect(readFileSync(join(root, 'etc/hp-kargs'), 'utf8')).toBe('x\n');
    expect(before.agent.conditions().map((c) => c.status)).toEqual(['False', 'False']);

    // Told again (a reconnect): nothing more is done.
    await before.agent.setDesired(d);
    expect(await kargs.current()).toEqual(staged);

    // An OS target staged before the reboot: the new default deployment carries the arguments.
    const change = await host.backend.deploy('2');
    expect(change.after.deployments[0]).toMatchObject({ version: '2' });
    expect(await kargs.current()).toEqual(expect.arrayContaining(['hp.test=1', 'quiet']));
    expect((await kargs.current()).includes('rhgb')).toBe(false);

    // The (sandbox) reboot into it: a new boot id; the agent that starts after it records the hash.
    await bootDefaultDeployment(host.backend);
    const newId = await bootId();
    expect(newId).not.toBe(id);
    const after = nodeConfigAgent({ root, stateDir, kargs, bootId: () => newId });
    expect(after.agent.rebootPending()).toBe(false);
    await after.agent.start(0);
    expect(after.agent.appliedHash).toBe(d.hash);
    await after.agent.setDesired(d);
    expect(after.agent.rebootPending()).toBe(false);
    expect((await host.backend.status()).booted).toMatchObject({ version: '2' });

    // Rolled back to a config without them: the arguments it had appended go again (a reboot
    // again); what it deleted is not put back (the node's own arguments are not the agent's).
    const back = desired(rendered({ files: [{ path: '/etc/hp-kargs', mode: 0o644, contents: 'x\n' }] }), 'reboot');
    await after.agent.setDesired(back);
    const rolledBack = await kargs.current();
    expect(rolledBack.some((a) => a === 'hp.test=1' || a === 'quiet')).toBe(false);
    expect(rolledBack.includes('rhgb')).toBe(false);
    expect(after.agent.rebootPending()).toBe(true);
  });

  it('with reboot: never the arguments are staged for whatever reboot comes next and the config counts as applied now', async () => {
    const id = await bootId();
    const ctx = nodeConfigAgent({ root: join(dir, 'root-never'), stateDir: join(dir, 'state-never'), kargs, bootId: () => id });
    const d = desired(rendered({ kernelArguments: { append: ['hp.never=1'], delete: [] }, reboot: 'never' }), 'reboot');
    await ctx.agent.setDesired(d);
    expect(await kargs.current()).toContain('hp.never=1');
    expect(ctx.agent.rebootPending()).toBe(false);
    expect(ctx.agent.appliedHash).toBe(d.hash);
  });
});
