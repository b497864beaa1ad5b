#!/usr/bin/env node
// hostpilot-lab: real OSTree sysroots and a served repository for trying
// hostpilot by hand, without writing code. Wiring only: the work is in
// lab/ostree-lab.ts, which the tests, the demo and the benchmarks share.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError, parseFlags, stringFlag, runMain } from '../common/cli.js';
import { commitVersion, createOsRepo, createSysroot, removeSysroot, serveRepo } from './ostree-lab.js';

const USAGE = `Usage: hostpilot-lab COMMAND [options]

Real OSTree sysroots and repositories for trying hostpilot on one machine
(needs the ostree command; root for sysroots).

Commands:
  sysroot create DIR --versions 1,2,3 [--failing-health V,...] [--os NAME] [--ref REF]
      DIR/repo: an archive repository with each version committed on REF, in order.
      DIR/sysroot: a sandbox sysroot whose remote "origin" is DIR/repo, deployed
      and booted at the first version. A version in --failing-health ships a health
      check (usr/lib/hostpilot/health.d/50-lab-health) that fails, so the agent
      rolls it back. Defaults: --os testos, --ref OS/stable.
  sysroot remove DIR
      Removes what sysroot create made (deployments are immutable: rm -rf cannot).
  serve REPO
      Serves an OSTree repository (DIR/repo of sysroot create, or a repository)
      read-only over HTTP on 127.0.0.1 (a port the kernel picks), prints its URL,
      runs until interrupted.

Options:
  -h, --help   this help
  --version    the version
`;

const VERSION = /^[A-Za-z0-9][A-Za-z0-9._+~-]{0,127}$/;

function versionList(text: string | undefined, flag: string): string[] {
  if (text === undefined) return [];
  const list = text.split(',').map((v) => v.trim());
  const bad = list.find((v) => !VERSION.test(v));
  if (bad !== undefined) throw new UsageError(`${flag}: ${JSON.stringify(bad)} is not a version (letters, digits, . _ + ~ -)`);
  if (new Set(list).size !== list.length) throw new UsageError(`${flag}: a version is listed twice`);
  return list;
}

function failingHealthCheck(version: string) {
  return {
    'usr/lib/hostpilot/health.d/50-lab-health': { content: `#!/bin/sh\necho "version ${version} fails its own health check (hostpilot-lab --failing-health)"\nexit 1\n`, mode: 0o755 },
  };
}

async function sysrootCreate(args: string[], out: (line: string) => void): Promise<number> {
  const flags = parseFlags(args, { versions: { type: 'string' }, 'failing-health': { type: 'string' }, os: { type: 'string' }, ref: { type: 'string' } }, { positionals: true });
  const [dir, ...extra] = flags.positionals;
  if (dir === undefined) throw new UsageError('sysroot create: name the directory (DIR)');
  if (extra.length > 0) throw new UsageError(`sysroot create: unexpected argument ${JSON.stringify(extra[0])}`);
  const versions = versionList(stringFlag(flags, 'versions'), '--versions');
  if (versions.length === 0) throw new UsageError('sysroot create: --versions is required, e.g. --versions 1,2,3');
  const failing = versionList(stringFlag(flags, 'failing-health'), '--failing-health');
  const unknown = failing.find((v) => !versions.includes(v));
  if (unknown !== undefined) throw new UsageError(`--failing-health: ${unknown} is not one of --versions ${versions.join(',')}`);
  const osname = stringFlag(flags, 'os') ?? 'testos';
  const ref = stringFlag(flags, 'ref') ?? `${osname}/stable`;
  const root = resolve(dir);
  if (existsSync(join(root, 'repo')) || existsSync(join(root, 'sysroot'))) throw new UsageError(`sysroot create: ${root} already holds a lab (hostpilot-lab sysroot remove ${root} first)`);

  const repo = await createOsRepo(join(root, 'repo'));
  const commit = (version: string) => commitVersion(repo, { ref, osname, version, ...(failing.includes(version) ? { files: failingHealthCheck(version) } : {}) });
  // The sysroot is deployed from the first version; the later ones wait in the repository for a rollout.
  const [first, ...later] = versions as [string, ...string[]];
  await commit(first);
  const sysroot = await createSysroot(join(root, 'sysroot'), { osname, remoteUrl: `file://${repo.path}`, ref });
  for (const version of later) await commit(version);
  out(`repo ${repo.path} (${ref}: ${versions.join(', ')}${failing.length ? `; failing health: ${failing.join(', ')}` : ''})`);
  out(`sysroot ${sysroot.path} (booted ${sysroot.booted.version}, origin ${sysroot.refspec})`);
  out(`try: hostpilot-agent os status --backend ostree --sysroot ${sysroot.path}`);
  return 0;
}

async function sysrootRemove(args: string[]): Promise<number> {
  const flags = parseFlags(args, {}, { positionals: true });
  const [dir, ...extra] = flags.positionals;
  if (dir === undefined || extra.length > 0) throw new UsageError('sysroot remove: name one directory (DIR)');
  await removeSysroot(dir);
  return 0;
}

async function serve(args: string[], out: (line: string) => void): Promise<number> {
  const flags = parseFlags(args, {}, { positionals: true });
  const [path, ...extra] = flags.positionals;
  if (path === undefined) throw new UsageError('serve: name the repository (REPO)');
  if (extra.length > 0) throw new UsageError(`serve: unexpected argument ${JSON.stringify(extra[0])}`);
  const repo = existsSync(join(path, 'config')) ? path : existsSync(join(path, 'repo', 'config')) ? join(path, 'repo') : undefined;
  if (repo === undefined) throw new UsageError(`serve: ${resolve(path)} is not an OSTree repository (no config), nor a lab directory holding repo/`);
  // Listen before serving: a signal during start-up still stops cleanly.
  const stopped = new Promise<void>((ok) => {
    process.once('SIGINT', () => ok());
    process.once('SIGTERM', () => ok());
  });
  const served = await serveRepo(repo);
  out(served.url);
  await stopped;
  await served.close();
  return 0;
}

runMain('hostpilot-lab', async (argv) => {
  const out = (line: string) => void process.stdout.write(line + '\n');
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || rest.includes('-h') || rest.includes('--help')) {
    out(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === 'serve') return serve(rest, out);
  if (command === 'sysroot') {
    const [sub, ...subArgs] = rest;
    if (sub === 'create') return sysrootCreate(subArgs, out);
    if (sub === 'remove') return sysrootRemove(subArgs);
    throw new UsageError(sub === undefined ? 'sysroot: say create or remove' : `sysroot: unknown subcommand ${JSON.stringify(sub)}`);
  }
  throw new UsageError(`unknown command ${JSON.stringify(command)}`);
});
