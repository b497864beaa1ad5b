// The plain-OSTree backend: drives `ostree admin --sysroot=DIR` and `ostree`
// on the sysroot's repository through the injected CommandRunner. Used on
// OSTree hosts without rpm-ostree, and on every sandbox sysroot (tests, demo,
// fleet benchmark), where the booted deployment comes from the sandbox marker.
//
// ostree 2022.7 has no `admin set-default`, so "make deployment X the default"
// is done the portable way: deploy X's commit again (a new deployment with the
// same commit and origin); when X is the booted one and only an unbooted
// pending deployment sits in front of it, that deployment is undeployed instead.
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FailedPreconditionError, InvalidArgumentError, UnavailableError } from '../../common/errors.js';
import { CommandError, type CommandRunner } from '../../common/exec/runner.js';
import { deriveStatus, describeDeployment, sameDeployments, type Deployment, type OsBackend, type OsChange, type OsStatus } from './backend.js';
import { UnknownTargetError } from './errors.js';
import { parseOstreeCommits, type CommitInfo } from './ostree-commit.js';
import { parseOstreeAdminStatus, type OstreeStatusEntry } from './ostree-status.js';
import { readSandboxMarker, type SandboxBootMarker } from './sandbox-marker.js';
import { parseTarget } from '../../common/api/target.js';
import { resolveTarget, type CommitCandidate } from './target.js';

export interface OstreeBackendOptions {
  runner: CommandRunner;
  /** The sysroot; default `/` (the running system). */
  sysroot?: string;
  /** The ostree binary; default `ostree` from PATH. */
  command?: string;
  /** Bound on local commands (status, deploy, undeploy). Default 2 min. */
  timeoutMs?: number;
  /** Bound on pulls from a remote. Default 30 min. */
  pullTimeoutMs?: number;
}

const OSNAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** `remote:ref` → parts; a bare `ref` has no remote (a local ref). */
export function splitRefspec(refspec: string): { remote: string; ref: string } {
  const colon = refspec.indexOf(':');
  return colon < 0 ? { remote: '', ref: refspec } : { remote: refspec.slice(0, colon), ref: refspec.slice(colon + 1) };
}

interface Snapshot {
  status: OsStatus;
  entries: OstreeStatusEntry[];
  marker: SandboxBootMarker | null;
}

export class OstreeBackend implements OsBackend {
  readonly name = 'ostree' as const;
  readonly sysroot: string;
  readonly repo: string;
  private readonly runner: CommandRunner;
  private readonly command: string;
  private readonly timeoutMs: number;
  private readonly pullTimeoutMs: number;
  // Commits are immutable: their date never changes, so look it up once.
  private readonly commits = new Map<string, CommitInfo>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: OstreeBackendOptions) {
    const sysroot = options.sysroot ?? '/';
    if (!sysroot.startsWith('/') || sysroot.includes('\0')) throw new InvalidArgumentError('sysroot', `${JSON.stringify(sysroot)} must be an absolute path`);
    this.sysroot = sysroot;
    this.repo = join(sysroot, 'ostree/repo');
    this.runner = options.runner;
    this.command = options.command ?? 'ostree';
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.pullTimeoutMs = options.pullTimeoutMs ?? 30 * 60_000;
  }

  async status(): Promise<OsStatus> {
    return (await this.snapshot()).status;
  }

  upgrade(): Promise<OsChange> {
    return this.exclusive(() => this.upgradeNow());
  }

  private async upgradeNow(): Promise<OsChange> {
    const before = await this.snapshot();
    const current = this.requireDefault(before);
    const refspec = current.origin;
    if (!refspec) throw new FailedPreconditionError(`default deployment ${describeDeployment(current)} has no origin refspec to upgrade from`);
    const { remote, ref } = splitRefspec(refspec);
    if (remote) await this.pull(remote, ref);
    const newest = await this.revParse(refspec);
    if (!newest) throw new FailedPreconditionError(`origin ${refspec} does not resolve in ${this.repo}`);
    if (newest === current.checksum) {
      return unchanged(before.status, `already at the newest commit of ${refspec}: ${describeDeployment(current)}`);
    }
    return this.makeDefault(before, { checksum: newest, refspec, isTip: true }, `upgraded ${refspec}`);
  }

  deploy(target: string): Promise<OsChange> {
    return this.exclusive(() => this.deployNow(target));
  }

  private async deployNow(target: string): Promise<OsChange> {
    const spec = parseTarget(target);
    const before = await this.snapshot();
    const current = before.status.deployments[0];

    if (spec.kind === 'refspec') {
      const { remote, ref } = splitRefspec(spec.refspec);
      if (remote) await this.pull(remote, ref, { target });
      const checksum = await this.revParse(spec.refspec);
      if (!checksum) throw new UnknownTargetError(target, `in ${this.repo}`);
      if (current && current.checksum === checksum && current.origin === spec.refspec) {
        return unchanged(before.status, `${describeDeployment(current)} from ${spec.refspec} is already the default deployment`);
      }
      return this.makeDefault(before, { checksum, refspec: spec.refspec, isTip: true }, `deployed ${spec.refspec}`);
    }

    const origin = current?.origin ?? '';
    let match = resolveTarget(spec, await this.candidates(before.status.deployments, origin));
    const { remote, ref } = splitRefspec(origin);
    if (!match && remote) {
      // Not known locally: fetch the origin's history (commit metadata only, cheap) and look again.
      await this.pull(remote, ref, { flags: ['--commit-metadata-only', '--depth=-1'] });
      match = resolveTarget(spec, await this.candidates(before.status.deployments, origin));
    }
    if (!match) throw new UnknownTargetError(target, `among the deployments and the history of ${origin || 'the default origin'}`);
    if (current && current.checksum === match.checksum) {
      return unchanged(before.status, `${describeDeployment(current)} is already the default deployment`);
    }
    // A commit some deployment already runs keeps that deployment's origin; others join the default's branch.
    const refspec = before.status.deployments.find((d) => d.checksum === match.checksum)?.origin ?? origin;
    return this.makeDefault(before, { checksum: match.checksum, refspec }, `deployed ${match.version || match.checksum.slice(0, 12)}`);
  }

  rollback(): Promise<OsChange> {
    return this.exclusive(() => this.rollbackNow());
  }

  private async rollbackNow(): Promise<OsChange> {
    const before = await this.snapshot();
    const target = before.status.rollback;
    if (!target) return unchanged(before.status, 'no rollback deployment');
    return this.makeDefault(before, { checksum: target.checksum, refspec: target.origin }, `rollback to ${describeDeployment(target)}`);
  }

  cleanup(): Promise<OsChange> {
    return this.exclusive(() => this.cleanupNow());
  }

  private async cleanupNow(): Promise<OsChange> {
    const before = await this.snapshot();
    const pending = before.status.pending;
    if (!pending) return unchanged(before.status, 'no pending deployment to remove');
    if (pending.pinned) throw new FailedPreconditionError(`pending deployment ${describeDeployment(pending)} is pinned; unpin it first`);
    await this.admin(['undeploy', String(pending.index)]);
    return this.outcome(before.status, `removed pending deployment ${describeDeployment(pending)}`);
  }

  /** Pins (or unpins) the deployment at `index` so no deploy removes it. Idempotent. */
  pin(index: number, pinned = true): Promise<OsChange> {
    return this.exclusive(() => this.pinNow(index, pinned));
  }

  private async pinNow(index: number, pinned = true): Promise<OsChange> {
    const before = await this.snapshot();
    const d = before.status.deployments[index];
    if (!Number.isInteger(index) || !d) {
      throw new InvalidArgumentError('index', `${index} is not a deployment index (0..${before.status.deployments.length - 1})`);
    }
    if (d.pinned === pinned) return unchanged(before.status, `deployment ${index} ${describeDeployment(d)} is already ${pinned ? 'pinned' : 'unpinned'}`);
    await this.admin(pinned ? ['pin', String(index)] : ['pin', '--unpin', String(index)]);
    return this.outcome(before.status, `${pinned ? 'pinned' : 'unpinned'} deployment ${index} ${describeDeployment(d)}`);
  }

  /**
   * The deployment's root directory (its checked-out tree), e.g. to run the
   * health checks a sandbox "booted" deployment ships under usr/lib/hostpilot/health.d.
   */
  deploymentPath(d: Pick<Deployment, 'id' | 'osname'>): string {
    const m = /-([0-9a-f]{64}\.\d+)$/.exec(d.id);
    if (!m || !OSNAME.test(d.osname)) throw new InvalidArgumentError('deployment', `${JSON.stringify(d.id)} is not an ostree deployment id`);
    return join(this.sysroot, 'ostree/deploy', d.osname, 'deploy', m[1]!);
  }

  // --- internals -------------------------------------------------------------

  // One change at a time per backend: a sandbox deploy is several ostree calls
  // (deploy --retain, then undeploys) that must not interleave with another change.
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async snapshot(): Promise<Snapshot> {
    const [result, marker] = await Promise.all([this.admin(['status']), readSandboxMarker(this.sysroot)]);
    const entries = parseOstreeAdminStatus(result.stdout);
    const deployments: Deployment[] = [];
    for (const [index, e] of entries.entries()) {
      const info = await this.commitInfo(e.checksum);
      deployments.push({
        id: `${e.osname}-${e.checksum}.${e.serial}`,
        osname: e.osname,
        checksum: e.checksum,
        version: e.version || info?.version || '',
        origin: e.refspec,
        timestamp: info?.timestamp ?? 0,
        booted: marker ? marker.osname === e.osname && marker.checksum === e.checksum && marker.serial === e.serial : e.booted,
        staged: e.markers.includes('staged'),
        pinned: e.pinned,
        index,
      });
    }
    return { status: deriveStatus(deployments, false), entries, marker };
  }

  private requireDefault(snap: Snapshot): Deployment {
    const d = snap.status.deployments[0];
    if (!d) throw new FailedPreconditionError(`sysroot ${this.sysroot} has no deployment`);
    return d;
  }

  /**
   * Makes `checksum` (with origin `refspec`) the default deployment, keeping
   * what a booted host keeps: the new one, the booted one and pinned ones.
   */
  private async makeDefault(before: Snapshot, want: { checksum: string; refspec: string; isTip?: boolean }, message: string): Promise<OsChange> {
    const { status } = before;
    const booted = status.booted;
    // Back to what runs now: drop the unbooted deployments in front of it rather than deploying a copy.
    if (booted && booted.checksum === want.checksum && booted.index > 0) {
      const ahead = status.deployments.slice(0, booted.index);
      if (ahead.every((d) => !d.pinned)) {
        for (const d of ahead.reverse()) await this.admin(['undeploy', String(d.index)]);
        return this.outcome(status, `${message}: ${describeDeployment(booted)} (booted) is the default again`);
      }
    }
    const osname = status.deployments[0]?.osname;
    if (!osname || !OSNAME.test(osname)) throw new FailedPreconditionError(`sysroot ${this.sysroot}: no deployment to take the OS name from`);

    // The commit must be complete locally; pull its content when it is only known by metadata.
    const { remote } = splitRefspec(want.refspec);
    if (remote && !(await this.hasCompleteCommit(want.checksum))) await this.pull(remote, want.checksum);

    // A sandbox has nothing booted as far as ostree knows, so its own pruning
    // would keep the wrong deployments: keep everything, then prune like a booted host.
    const sandbox = before.marker !== null;
    const args = ['deploy', `--os=${osname}`];
    if (sandbox) args.push('--retain');
    const tip = want.isTip ? want.checksum : want.refspec ? await this.revParse(want.refspec) : undefined;
    if (want.refspec && tip === want.checksum) {
      await this.admin([...args, want.refspec]);
    } else {
      // Deploying a commit that is not the tip of its ref: keep the refspec as the origin so a later upgrade follows it.
      const dir = await mkdtemp(join(tmpdir(), 'hostpilot-origin-'));
      try {
        const originFile = join(dir, 'deploy.origin');
        await writeFile(originFile, want.refspec ? `[origin]\nrefspec=${want.refspec}\n` : `[origin]\nrefspec=${want.checksum}\n`);
        await this.admin([...args, `--origin-file=${originFile}`, want.checksum]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
    const done = `${message}: ${want.checksum.slice(0, 12)} is the new default deployment`;
    if (sandbox) {
      const pruned = await this.pruneLikeBootedHost();
      if (pruned) return { changed: !sameDeployments(status, pruned), message: done, before: status, after: pruned };
    }
    return this.outcome(status, done);
  }

  // A commit pulled with --commit-metadata-only has a `state/<sha>.commitpartial` marker.
  private async hasCompleteCommit(checksum: string): Promise<boolean> {
    const object = join(this.repo, 'objects', checksum.slice(0, 2), `${checksum.slice(2)}.commit`);
    const partial = join(this.repo, 'state', `${checksum}.commitpartial`);
    return (await exists(object)) && !(await exists(partial));
  }

  /** Returns the status when nothing had to go (saves a second status call), else undefined. */
  private async pruneLikeBootedHost(): Promise<OsStatus | undefined> {
    const { status } = await this.snapshot();
    const keep = (d: Deployment) => d.index === 0 || d.booted || d.pinned || d.osname !== status.deployments[0]?.osname;
    const drop = status.deployments.filter((d) => !keep(d)).reverse();
    if (drop.length === 0) return status;
    for (const d of drop) await this.admin(['undeploy', String(d.index)]);
    return undefined;
  }

  private async outcome(before: OsStatus, message: string): Promise<OsChange> {
    const after = await this.status();
    const changed = !sameDeployments(before, after);
    return { changed, message: changed ? message : `${message} (no deployment changed)`, before, after };
  }

  private async candidates(deployments: readonly Deployment[], origin: string): Promise<CommitCandidate[]> {
    const out: CommitCandidate[] = deployments.map((d) => ({ checksum: d.checksum, version: d.version }));
    if (origin && (await this.revParse(origin))) {
      const log = await this.ostree(['log', `--repo=${this.repo}`, origin], this.timeoutMs);
      for (const c of parseOstreeCommits(log.stdout, 'ostree log')) {
        this.commits.set(c.checksum, c);
        out.push({ checksum: c.checksum, version: c.version });
      }
    }
    return out;
  }

  private async commitInfo(checksum: string): Promise<CommitInfo | undefined> {
    const cached = this.commits.get(checksum);
    if (cached) return cached;
    const result = await this.ostree(['show', `--repo=${this.repo}`, checksum], this.timeoutMs).catch(() => undefined);
    const info = result ? parseOstreeCommits(result.stdout, 'ostree show')[0] : undefined;
    if (info) this.commits.set(checksum, info);
    return info;
  }

  // `ostree show REFSPEC` resolves a refspec like rev-parse and also yields the
  // commit's date and version, which status needs next: one command instead of two.
  private async revParse(refspec: string): Promise<string | undefined> {
    try {
      const result = await this.ostree(['show', `--repo=${this.repo}`, refspec], this.timeoutMs);
      const info = parseOstreeCommits(result.stdout, 'ostree show')[0];
      if (!info) return undefined;
      this.commits.set(info.checksum, info);
      return info.checksum;
    } catch (err) {
      if (err instanceof CommandError && err.failure === 'exit') return undefined;
      throw err;
    }
  }

  /**
   * `ostree pull REMOTE [options] WHAT`. A ref the remote does not have is an
   * UnknownTargetError when pulling for a deploy target; anything else (the
   * mirror down, a timeout) is UnavailableError: retrying later may work.
   */
  private async pull(remote: string, what: string, options: { flags?: string[]; target?: string } = {}): Promise<void> {
    const target = options.target;
    try {
      await this.ostree(['pull', `--repo=${this.repo}`, ...(options.flags ?? []), remote, what], this.pullTimeoutMs);
    } catch (err) {
      if (!(err instanceof CommandError) || err.failure === 'spawn') throw err;
      const detail = err.stderr.trim().split('\n').pop() || err.message;
      if (target !== undefined && err.failure === 'exit' && /not found|no such|404|couldn't find|could not find/i.test(err.stderr)) {
        throw new UnknownTargetError(target, `on remote ${remote} (${detail})`);
      }
      throw new UnavailableError(`ostree pull ${what} from remote ${remote} failed: ${detail}`, { cause: err });
    }
  }

  private admin(args: string[]) {
    return this.ostree(['admin', `--sysroot=${this.sysroot}`, ...args], this.timeoutMs);
  }

  private ostree(args: string[], timeoutMs: number) {
    return this.runner.run({ argv: [this.command, ...args], timeoutMs });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function unchanged(status: OsStatus, message: string): OsChange {
  return { changed: false, message, before: status, after: status };
}
