// Real OSTree content in a directory, for tests, the demo and benchmarks:
// an archive repository that commits OS versions (os-release, a kernel and
// initramfs, optional extra files), a loopback HTTP server that publishes it
// as a production mirror would, and sandbox sysroots that pull from it.
// Every ostree call goes through a CommandRunner (argv arrays, no shell).
import { createReadStream } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, resolve, sep } from 'node:path';
import { InvalidArgumentError } from '../common/errors.js';
import { ProcessRunner, type CommandRunner } from '../common/exec/runner.js';
import type { Deployment } from '../agent/os/backend.js';
import { bootDefaultDeployment } from '../agent/os/sandbox-boot.js';
import { OstreeBackend } from '../agent/os/ostree.js';

export interface LabOptions {
  /** Default: a ProcessRunner. */
  runner?: CommandRunner;
}

export interface OsRepo {
  path: string;
}

export interface ExtraFile {
  content: string;
  /** Default 0644; 0755 for scripts (e.g. a health check). */
  mode?: number;
}

export interface CommitOptions {
  /** The branch, e.g. `testos/stable`. */
  ref: string;
  /** Stored as the commit's `version` metadata, and VERSION_ID in os-release. */
  version: string;
  /** os-release ID; default the ref's first component. */
  osname?: string;
  /** Extra files: path relative to the tree root (e.g. `usr/lib/hostpilot/health.d/10-check`) → content. */
  files?: Record<string, string | ExtraFile>;
  subject?: string;
  /** Default 6.0.0. */
  kernelVersion?: string;
}

export interface CommitResult {
  checksum: string;
  ref: string;
  version: string;
}

const REF = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const VERSION = /^[A-Za-z0-9][A-Za-z0-9._+~-]{0,127}$/;

function runnerOf(options?: LabOptions): CommandRunner {
  return options?.runner ?? new ProcessRunner();
}

/** Creates an archive-mode repository (the format served over HTTP). */
export async function createOsRepo(dir: string, options?: LabOptions): Promise<OsRepo> {
  const path = resolve(dir);
  await mkdir(path, { recursive: true });
  await runnerOf(options).run({ argv: ['ostree', 'init', `--repo=${path}`, '--mode=archive'] });
  return { path };
}

/** Commits one OS version onto `ref` (its parent is the ref's current tip). */
export async function commitVersion(repo: OsRepo | string, options: CommitOptions, lab?: LabOptions): Promise<CommitResult> {
  const repoPath = typeof repo === 'string' ? resolve(repo) : repo.path;
  if (!REF.test(options.ref)) throw new InvalidArgumentError('ref', `${JSON.stringify(options.ref)} is not a valid ref`);
  if (!VERSION.test(options.version)) throw new InvalidArgumentError('version', `${JSON.stringify(options.version)} is not a valid version`);
  const osname = options.osname ?? options.ref.split('/')[0]!;
  if (!NAME.test(osname)) throw new InvalidArgumentError('osname', `${JSON.stringify(osname)} is not a valid OS name`);
  const kernel = options.kernelVersion ?? '6.0.0';
  if (!NAME.test(kernel)) throw new InvalidArgumentError('kernelVersion', `${JSON.stringify(kernel)} is not valid`);

  const tree = await mkdtemp(join(tmpdir(), 'hostpilot-tree-'));
  try {
    const files: Record<string, ExtraFile> = {
      // ostree admin deploy needs ID and PRETTY_NAME, and a kernel under usr/lib/modules/*/.
      'usr/lib/os-release': { content: `ID=${osname}\nPRETTY_NAME="${osname} ${options.version}"\nVERSION_ID=${options.version}\n` },
      [`usr/lib/modules/${kernel}/vmlinuz`]: { content: `kernel ${kernel}\n` },
      [`usr/lib/modules/${kernel}/initramfs.img`]: { content: `initramfs ${kernel}\n` },
    };
    for (const [path, file] of Object.entries(options.files ?? {})) files[path] = typeof file === 'string' ? { content: file } : file;
    await mkdir(join(tree, 'usr/etc'), { recursive: true });
    for (const [path, file] of Object.entries(files)) {
      const target = insideTree(tree, path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, file.content);
      await chmod(target, file.mode ?? 0o644);
    }
    const result = await runnerOf(lab).run({
      argv: [
        'ostree',
        'commit',
        `--repo=${repoPath}`,
        `--branch=${options.ref}`,
        `--tree=dir=${tree}`,
        `--subject=${options.subject ?? `${osname} ${options.version}`}`,
        `--add-metadata-string=version=${options.version}`,
        '--owner-uid=0',
        '--owner-gid=0',
      ],
      timeoutMs: 120_000,
    });
    const checksum = result.stdout.trim();
    if (!/^[0-9a-f]{64}$/.test(checksum)) throw new Error(`ostree commit printed ${JSON.stringify(result.stdout)}, not a checksum`);
    // The summary lists the repository's branches, as a production mirror's does (`ostree remote refs` reads it).
    await runnerOf(lab).run({ argv: ['ostree', 'summary', `--repo=${repoPath}`, '--update'], timeoutMs: 120_000 });
    return { checksum, ref: options.ref, version: options.version };
  } finally {
    await rm(tree, { recursive: true, force: true });
  }
}

function insideTree(tree: string, path: string): string {
  const clean = normalize(path);
  if (path.startsWith('/') || clean.startsWith('..') || clean === '.' || path.includes('\0')) {
    throw new InvalidArgumentError('files', `${JSON.stringify(path)} must be a relative path inside the tree`);
  }
  return join(tree, clean);
}

export interface ServedRepo {
  /** `http://127.0.0.1:PORT` — the remote URL for `ostree remote add`. */
  url: string;
  close(): Promise<void>;
}

/** Serves a repository's files read-only over HTTP on loopback, port chosen by the kernel. */
export async function serveRepo(repoDir: OsRepo | string): Promise<ServedRepo> {
  const root = typeof repoDir === 'string' ? resolve(repoDir) : repoDir.path;
  const server = createServer((req, res) => {
    const fail = (code: number) => {
      res.writeHead(code, { 'content-type': 'text/plain' });
      res.end(`${code}\n`);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(405);
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      return fail(400);
    }
    const file = join(root, normalize(path));
    if (file !== root && !file.startsWith(root + sep)) return fail(403);
    stat(file).then(
      (st) => {
        if (!st.isFile()) return fail(404);
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': st.size });
        if (req.method === 'HEAD') return res.end();
        const stream = createReadStream(file);
        stream.on('error', () => res.destroy());
        stream.pipe(res);
      },
      () => fail(404),
    );
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

export interface SysrootOptions {
  osname: string;
  /** The served repository, e.g. ServedRepo.url. */
  remoteUrl: string;
  /** The branch to deploy, e.g. `testos/stable`. */
  ref: string;
  /** Default `origin`. */
  remoteName?: string;
}

export interface Sysroot {
  path: string;
  /** `remote:ref`, the deployments' origin. */
  refspec: string;
  backend: OstreeBackend;
  booted: Deployment;
}

/**
 * A sandbox OSTree sysroot: init-fs, os-init, the remote (no GPG), a pull and
 * a first deployment, then sandbox-booted into it. Independent sysroots may be
 * created in parallel.
 */
export async function createSysroot(dir: string, options: SysrootOptions, lab?: LabOptions): Promise<Sysroot> {
  const runner = runnerOf(lab);
  const path = resolve(dir);
  const remote = options.remoteName ?? 'origin';
  if (!NAME.test(options.osname)) throw new InvalidArgumentError('osname', `${JSON.stringify(options.osname)} is not a valid OS name`);
  if (!NAME.test(remote)) throw new InvalidArgumentError('remoteName', `${JSON.stringify(remote)} is not a valid remote name`);
  if (!REF.test(options.ref)) throw new InvalidArgumentError('ref', `${JSON.stringify(options.ref)} is not a valid ref`);
  if (!/^(https?|file):\/\/\S+$/.test(options.remoteUrl)) throw new InvalidArgumentError('remoteUrl', `${JSON.stringify(options.remoteUrl)} is not an http(s) or file URL`);
  const repo = join(path, 'ostree/repo');
  const refspec = `${remote}:${options.ref}`;
  const run = (argv: string[], timeoutMs = 120_000) => runner.run({ argv, timeoutMs });

  await mkdir(path, { recursive: true });
  await run(['ostree', 'admin', 'init-fs', path]);
  await run(['ostree', 'admin', `--sysroot=${path}`, 'os-init', options.osname]);
  await run(['ostree', 'remote', 'add', `--repo=${repo}`, '--no-gpg-verify', remote, options.remoteUrl]);
  await run(['ostree', 'pull', `--repo=${repo}`, remote, options.ref], 600_000);
  await run(['ostree', 'admin', `--sysroot=${path}`, 'deploy', `--os=${options.osname}`, refspec]);
  const backend = new OstreeBackend({ sysroot: path, runner });
  const booted = await bootDefaultDeployment(backend);
  return { path, refspec, backend, booted };
}

/**
 * Removes a sysroot (or any directory holding some): `ostree admin deploy`
 * marks deployment directories immutable, so clear that first. chattr exits 1
 * on the symlinks it meets while walking; that is expected.
 */
export async function removeSysroot(dir: string, lab?: LabOptions): Promise<void> {
  const path = resolve(dir);
  if (path === '/' ) throw new InvalidArgumentError('dir', 'refusing to remove /');
  try {
    await stat(path);
  } catch {
    return;
  }
  await runnerOf(lab).run({ argv: ['chattr', '-R', '-i', path], okExitCodes: [0, 1], timeoutMs: 120_000 });
  await rm(path, { recursive: true, force: true });
}
