// bench:os-fleet — how long moving a sandbox fleet to a new OS version takes
// through hostpilot's ostree backend, against the same work done with the
// plain ostree CLI (the peer: `ostree pull` + `ostree admin deploy`, what an
// operator's script would run). Real sysroots, a real HTTP mirror on loopback.
//
//   npm run build && node dist/bench/os-fleet.js [--nodes N] [--rounds R]
//
// Last line: key=value figures (medians over the rounds, wall time for the whole fleet).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ProcessRunner } from '../common/exec/runner.js';
import { commitVersion, createOsRepo, createSysroot, removeSysroot, serveRepo, type Sysroot } from '../lab/ostree-lab.js';
import { bootDefaultDeployment } from '../agent/os/sandbox-boot.js';

const REF = 'benchos/stable';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { nodes: { type: 'string', default: '5' }, rounds: { type: 'string', default: '3' } } });
  const nodes = Number(values.nodes);
  const rounds = Number(values.rounds);
  if (!Number.isInteger(nodes) || nodes < 1 || !Number.isInteger(rounds) || rounds < 1) throw new Error('--nodes and --rounds must be positive integers');
  const runner = new ProcessRunner();
  const dir = await mkdtemp(join(tmpdir(), 'hostpilot-bench-os-'));
  const mirror = await (async () => {
    const repo = await createOsRepo(join(dir, 'repo'));
    await commitVersion(repo, { ref: REF, version: '1' });
    const served = await serveRepo(repo);
    return { repo, served };
  })();
  const ours: number[] = [];
  const peer: number[] = [];
  const create: number[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      // Every round moves fresh v(k) sysroots to v(k+1).
      const fleet = async (name: string): Promise<Sysroot[]> => {
        const t0 = performance.now();
        const hosts = await Promise.all(
          Array.from({ length: nodes }, (_, i) => createSysroot(join(dir, `${name}-${round}-${i}`), { osname: 'benchos', remoteUrl: mirror.served.url, ref: REF }, { runner })),
        );
        create.push(performance.now() - t0);
        return hosts;
      };
      const a = await fleet('hostpilot');
      const b = await fleet('peer');
      await commitVersion(mirror.repo, { ref: REF, version: String(round + 2) });

      let t0 = performance.now();
      await Promise.all(
        a.map(async (h) => {
          const change = await h.backend.upgrade();
          if (!change.changed) throw new Error(`${h.path}: upgrade changed nothing`);
          await bootDefaultDeployment(h.backend);
        }),
      );
      ours.push(performance.now() - t0);

      t0 = performance.now();
      await Promise.all(
        b.map(async (h) => {
          const repo = join(h.path, 'ostree/repo');
          await runner.run({ argv: ['ostree', 'pull', `--repo=${repo}`, 'origin', REF] });
          await runner.run({ argv: ['ostree', 'admin', `--sysroot=${h.path}`, 'deploy', '--os=benchos', `origin:${REF}`] });
          await runner.run({ argv: ['ostree', 'admin', `--sysroot=${h.path}`, 'status'] });
        }),
      );
      peer.push(performance.now() - t0);
      await Promise.all([...a, ...b].map((h) => removeSysroot(h.path, { runner })));
    }
  } finally {
    await mirror.served.close();
    await removeSysroot(dir, { runner });
    await rm(dir, { recursive: true, force: true });
  }
  const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  const o = med(ours);
  const p = med(peer);
  process.stdout.write(`rounds: hostpilot ${ours.map((x) => x.toFixed(0)).join(',')} ms; ostree CLI ${peer.map((x) => x.toFixed(0)).join(',')} ms\n`);
  process.stdout.write(
    `nodes=${nodes} rounds=${rounds} fleet_create_ms=${med(create).toFixed(0)} hostpilot_upgrade_ms=${o.toFixed(0)} ostree_cli_upgrade_ms=${p.toFixed(0)} ratio_vs_ostree_cli=${(o / p).toFixed(2)}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:os-fleet: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
