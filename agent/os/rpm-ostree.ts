// The rpm-ostree backend (Fedora/CentOS CoreOS, RHEL for Edge, Silverblue):
// drives the rpm-ostree client through the injected CommandRunner. Every
// mutation first reads `status --json` and refuses to start while another
// transaction runs. Updates are staged with finalization locked, so a plain
// shutdown does not apply them: the reboot flow calls finalizeDeployment()
// (which reboots) only once it holds the reboot lock.
import type { CommandRunner } from '../../common/exec/runner.js';
import { CommandError } from '../../common/exec/runner.js';
import { describeDeployment, sameDeployments, type Deployment, type OsBackend, type OsChange, type OsStatus } from './backend.js';
import { TransactionActiveError, UnknownTargetError } from './errors.js';
import { parseRpmOstreeStatus, type RpmOstreeStatus } from './rpm-ostree-status.js';
import { isFullChecksum, parseTarget } from '../../common/api/target.js';
import { resolveTarget, type CommitCandidate } from './target.js';

export interface RpmOstreeBackendOptions {
  runner: CommandRunner;
  /** The client binary; default `rpm-ostree` from PATH. */
  command?: string;
  /** Bound on transactions that download (upgrade, deploy, rebase). Default 30 min. */
  transactionTimeoutMs?: number;
  /** Bound on `status`. Default 60 s. */
  statusTimeoutMs?: number;
}

/** rpm-ostree records which client started a transaction (shown in its journal and status). */
export const RPMOSTREE_ENV = { RPMOSTREE_CLIENT_ID: 'hostpilot' } as const;

// rpm-ostree's exit code for "--unchanged-exit-77": nothing new to deploy.
const EXIT_UNCHANGED = 77;

export class RpmOstreeBackend implements OsBackend {
  readonly name = 'rpm-ostree' as const;
  private readonly runner: CommandRunner;
  private readonly command: string;
  private readonly txTimeout: number;
  private readonly statusTimeout: number;

  constructor(options: RpmOstreeBackendOptions) {
    this.runner = options.runner;
    this.command = options.command ?? 'rpm-ostree';
    this.txTimeout = options.transactionTimeoutMs ?? 30 * 60_000;
    this.statusTimeout = options.statusTimeoutMs ?? 60_000;
  }

  async status(): Promise<RpmOstreeStatus> {
    const result = await this.run(['status', '--json'], this.statusTimeout);
    return parseRpmOstreeStatus(result.stdout);
  }

  async upgrade(): Promise<OsChange> {
    const before = await this.idleStatus();
    const result = await this.run(['upgrade', '--lock-finalization', '--unchanged-exit-77'], this.txTimeout, [0, EXIT_UNCHANGED]);
    const after = await this.status();
    if (result.exitCode === EXIT_UNCHANGED || sameDeployments(before, after)) {
      return { changed: false, message: `no update available; default stays ${describeDeployment(before.deployments[0])}`, before, after };
    }
    return { changed: true, message: `staged ${describeDeployment(after.deployments[0])} (finalization locked)`, before, after };
  }

  async deploy(target: string): Promise<OsChange> {
    const spec = parseTarget(target);
    const before = await this.idleStatus();
    const current = before.deployments[0];

    if (spec.kind === 'refspec') {
      if (current && current.origin === spec.refspec) {
        return { changed: false, message: `already on ${spec.refspec} (${describeDeployment(current)}); use upgrade for its newest commit`, before, after: before };
      }
      await this.mutate(target, ['rebase', '--lock-finalization', spec.refspec]);
      return this.outcome(before, `rebased onto ${spec.refspec}`);
    }

    const match = resolveTarget(spec, candidatesOf(before.deployments));
    if (match && current && (current.checksum === match.checksum || current.baseChecksum === match.checksum)) {
      return { changed: false, message: `${describeDeployment(current)} is already the default deployment`, before, after: before };
    }
    const booted = before.booted;
    if (match && booted && before.pending && (booted.checksum === match.checksum || booted.baseChecksum === match.checksum)) {
      // Back to what runs now: dropping the pending deployment makes the booted one the default again.
      await this.run(['cleanup', '-p'], this.txTimeout);
      return this.outcome(before, `removed pending ${describeDeployment(before.pending)}: ${describeDeployment(booted)} (booted) is the default again`);
    }
    let revision: string;
    if (match) revision = `revision=${baseOf(before.deployments, match.checksum)}`;
    else if (spec.kind === 'checksum') {
      // A prefix can only be resolved against local deployments; the daemon needs a full checksum.
      if (!isFullChecksum(spec.checksum)) throw new UnknownTargetError(target, 'among the deployments (give the full 64-digit checksum for a commit not yet deployed)');
      revision = `revision=${spec.checksum}`;
    } else revision = `version=${spec.kind === 'version' ? spec.version : spec.value}`;
    await this.mutate(target, ['deploy', '--lock-finalization', revision]);
    return this.outcome(before, `staged ${revision} (finalization locked)`);
  }

  async rollback(): Promise<OsChange> {
    const before = await this.idleStatus();
    if (!before.rollback) {
      return { changed: false, message: 'no rollback deployment', before, after: before };
    }
    await this.run(['rollback'], this.txTimeout);
    return this.outcome(before, `rollback: ${describeDeployment(before.rollback)} is the default again`);
  }

  async cleanup(): Promise<OsChange> {
    const before = await this.idleStatus();
    if (!before.pending) {
      return { changed: false, message: 'no pending deployment to remove', before, after: before };
    }
    await this.run(['cleanup', '-p'], this.txTimeout);
    return this.outcome(before, `removed pending deployment ${describeDeployment(before.pending)}`);
  }

  /**
   * Unlocks the staged deployment and REBOOTS into it (rpm-ostree
   * finalize-deployment). Only the reboot flow calls this, holding the lock.
   * The checksum must be the staged one, so a deployment staged by someone
   * else meanwhile is not what gets booted.
   */
  async finalizeDeployment(checksum: string): Promise<void> {
    if (!isFullChecksum(checksum)) throw new UnknownTargetError(checksum, '(finalize needs the full checksum of the staged deployment)');
    const before = await this.idleStatus();
    const staged = before.deployments.find((d) => d.staged);
    if (!staged || staged.checksum !== checksum) {
      throw new UnknownTargetError(checksum, `among staged deployments (staged: ${describeDeployment(staged)})`);
    }
    await this.run(['finalize-deployment', checksum], this.txTimeout);
  }

  private async idleStatus(): Promise<RpmOstreeStatus> {
    const status = await this.status();
    if (status.transaction) throw new TransactionActiveError(status.transaction);
    return status;
  }

  private async outcome(before: OsStatus, message: string): Promise<OsChange> {
    const after = await this.status();
    const changed = !sameDeployments(before, after);
    return { changed, message: changed ? message : `${message}: no deployment changed`, before, after };
  }

  // A deploy/rebase whose target the remote does not have fails in the daemon;
  // make that the same typed error as a local miss, naming the target.
  private async mutate(target: string, args: string[]): Promise<void> {
    try {
      await this.run(args, this.txTimeout);
    } catch (err) {
      if (err instanceof CommandError && err.failure === 'exit' && /not found|couldn't find|could not find|no such|unable to find|failed to find/i.test(err.stderr)) {
        throw new UnknownTargetError(target, `on the remote (rpm-ostree: ${err.stderr.trim().split('\n').pop()})`);
      }
      throw err;
    }
  }

  private run(args: string[], timeoutMs: number, okExitCodes?: number[]) {
    return this.runner.run({ argv: [this.command, ...args], env: { ...RPMOSTREE_ENV }, timeoutMs, ...(okExitCodes ? { okExitCodes } : {}) });
  }
}

// A layered commit exists only on this host: deploying it means deploying its base again.
function baseOf(deployments: readonly Deployment[], checksum: string): string {
  return deployments.find((d) => d.checksum === checksum)?.baseChecksum ?? checksum;
}

function candidatesOf(deployments: readonly Deployment[]): CommitCandidate[] {
  const out: CommitCandidate[] = [];
  for (const d of deployments) {
    // A target names what the remote publishes: the base commit of a layered deployment.
    out.push({ checksum: d.baseChecksum ?? d.checksum, version: d.version });
    if (d.baseChecksum) out.push({ checksum: d.checksum, version: '' });
  }
  return out;
}
