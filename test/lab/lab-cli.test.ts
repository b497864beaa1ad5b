// hostpilot-lab, the real built program with real ostree: sysroot create
// commits the versions, deploys and boots the first, gives a failing health
// check to the versions asked for; serve publishes the repository on loopback.
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OstreeBackend } from '../../agent/os/ostree.js';
import { ProcessRunner } from '../../common/exec/runner.js';
import { createOsRepo, removeSysroot } from '../../lab/ostree-lab.js';
import { describeWith } from '../support/components.js';
import { runProgram, spawnProgram } from '../support/programs.js';
import { makeTempDir } from '../support/tmp.js';

const HEALTH = 'usr/lib/hostpilot/health.d/50-lab-health';

describe('hostpilot-lab command line', () => {
  it('answers --help and exits 2 with one line on a bad command line', async () => {
    const help = await runProgram('lab', ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('sysroot create DIR --versions 1,2,3 [--failing-health V,...]');
    expect(help.stdout).toContain('serve REPO');
    for (const [args, message] of [
      [['--bogus'], 'unknown command "--bogus"'],
      [['sysroot', 'create', '/tmp/hp-lab-x'], 'sysroot create: --versions is required'],
      [['sysroot', 'create', '/tmp/hp-lab-x', '--versions', '1,2', '--failing-health', '3'], '--failing-health: 3 is not one of --versions 1,2'],
      [['sysroot', 'create', '/tmp/hp-lab-x', '--versions', '1,,2'], '--versions: "" is not a version'],
      [['sysroot', 'create', '/tmp/hp-lab-x', '--versions', '1', '--frob'], "Unknown option '--frob'"],
      [['serve', '/nonexistent-hp-lab'], 'serve: /nonexistent-hp-lab is not an OSTree repository'],
    ] as const) {
      const r = await runProgram('lab', [...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toContain(message);
      expect(r.stdout).toBe('');
    }
  });
});

describeWith(['ostree', 'chattr', 'root'], 'hostpilot-lab with real ostree', () => {
  const tmp = makeTempDir('hp-lab-');
  const lab = join(tmp.dir, 'lab');
  const runner = new ProcessRunner();
  afterAll(async () => {
    await removeSysroot(lab);
    tmp.remove();
  });

  it('sysroot create: versions on the branch, the first booted, the failing one with its failing check', async () => {
    const r = await runProgram('lab', ['sysroot', 'create', lab, '--versions', '1,2,3', '--failing-health', '3']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`sysroot ${join(lab, 'sysroot')} (booted 1, origin origin:testos/stable)`);

    const status = await new OstreeBackend({ sysroot: join(lab, 'sysroot'), runner }).status();
    expect(status.booted?.version).toBe('1');
    expect(status.deployments).toHaveLength(1);

    const repo = `--repo=${join(lab, 'repo')}`;
    const log = (await runner.run({ argv: ['ostree', 'log', repo, 'testos/stable'] })).stdout;
    expect([...log.matchAll(/^\s*Version: (\S+)$/gm)].map((m) => m[1])).toEqual(['3', '2', '1']);
    const check = await runner.run({ argv: ['ostree', 'cat', repo, 'testos/stable', `/${HEALTH}`] });
    expect(check.stdout).toContain('exit 1');
    const v2 = await runner.run({ argv: ['ostree', 'cat', repo, 'testos/stable^', `/${HEALTH}`], okExitCodes: [0, 1] });
    expect(v2.exitCode).toBe(1);

    // The same directory again is refused, not overwritten.
    const again = await runProgram('lab', ['sysroot', 'create', lab, '--versions', '1']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already holds a lab');
  });

  it('serve publishes the repository on loopback until interrupted', async () => {
    const repo = join(tmp.dir, 'served');
    await createOsRepo(repo);
    const served = spawnProgram('lab', ['serve', repo]);
    const url = await new Promise<string>((resolve) => createInterface({ input: served.child.stdout! }).once('line', resolve));
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const config = await (await fetch(`${url}/config`)).text();
    expect(config).toContain('mode=archive');
    served.child.kill('SIGTERM');
    expect(await served.exited).toEqual({ code: 0, signal: null });
  });
});
