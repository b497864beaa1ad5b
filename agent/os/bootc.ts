// The bootc backend (image-mode hosts: the OS is an OCI image). Updates come
// in two phases so the download never happens under the reboot lock:
//
//   without the lock   bootc upgrade --download-only
//                      bootc switch --download-only IMAGE@sha256:…   (or: switch, then
//                      upgrade --download-only, which locks the staged deployment)
//   holding the lock   bootc upgrade --from-downloaded --apply [--soft-reboot=auto]
//
// A download-only deployment is not applied by a shutdown that is not ours.
// bootc older than 1.12.0 has neither flag: the update is then staged the
// classic way (applied at the next shutdown) and the reboot flow's own reboot
// applies it; the agent says so once. A host whose deployment bootc calls
// `incompatible` (rpm-ostree layering) is refused: the rpm-ostree backend
// manages it.
import { InvalidArgumentError } from '../../common/errors.js';
import { CommandError, type CommandRunner } from '../../common/exec/runner.js';
import { parseImageReference, parseTarget } from '../../common/api/target.js';
import type { Logger } from '../../common/log.js';
import { silentLogger } from '../../common/log.js';
import { describeDeployment, sameDeployments, type Deployment, type OsBackend, type OsChange, type OsStatus } from './backend.js';
import { parseBootcStatus, type BootcStatus } from './bootc-status.js';
import { IncompatibleHostError, NotBootcHostError, UnknownTargetError } from './errors.js';
import { resolveTarget } from './target.js';

export interface BootcBackendOptions {
  runner: CommandRunner;
  /** The client binary; default `bootc` from PATH (in a pod: a wrapper entering the host, deploy/). */
  command?: string;
  /** Bound on commands that download or reboot. Default 30 min. */
  transactionTimeoutMs?: number;
  /** Bound on `status` and `--help`. Default 60 s. */
  statusTimeoutMs?: number;
  logger?: Logger;
}

/** What this host's bootc can do, read from its own `--help`. */
export interface BootcCapabilities {
  /** `upgrade --download-only` and `upgrade --from-downloaded` (bootc >= 1.12.0). */
  downloadOnly: boolean;
  /** `switch --download-only` (not in upstream bootc as of 1.16.9; used once a release has it). */
  switchDownloadOnly: boolean;
  /** `--soft-reboot` on upgrade (bootc >= 1.7.0). */
  softReboot: boolean;
}

/** The bootc release that brought `--download-only` / `--from-downloaded`. */
export const DOWNLOAD_ONLY_SINCE = '1.12.0';

export class BootcBackend implements OsBackend {
  readonly name = 'bootc' as const;
  private readonly runner: CommandRunner;
  private readonly command: string;
  private readonly txTimeout: number;
  private readonly statusTimeout: number;
  private readonly log: Logger;
  private statusArgs: string[] = ['status', '--format', 'json'];
  private caps: Promise<BootcCapabilities> | undefined;
  private warned = false;

  constructor(options: BootcBackendOptions) {
    this.runner = options.runner;
    this.command = options.command ?? 'bootc';
    this.txTimeout = options.transactionTimeoutMs ?? 30 * 60_000;
    this.statusTimeout = options.statusTimeoutMs ?? 60_000;
    this.log = options.logger ?? silentLogger;
  }

  /** `--format json` since bootc 0.1.13; older releases only know the (now hidden) `--json`. */
  async status(): Promise<BootcStatus> {
    try {
      const r = await this.run(this.statusArgs, this.statusTimeout);
      return parseBootcStatus(r.stdout, `${this.command} ${this.statusArgs.join(' ')}`);
    } catch (err) {
      if (this.statusArgs.includes('--format') && isUnknownFlag(err)) {
        this.statusArgs = ['status', '--json'];
        return this.status();
      }
      throw err;
    }
  }

  capabilities(): Promise<BootcCapabilities> {
    this.caps ??= (async () => {
      const upgrade = (await this.run(['upgrade', '--help'], this.statusTimeout)).stdout;
      const sw = (await this.run(['switch', '--help'], this.statusTimeout)).stdout;
      return {
        downloadOnly: upgrade.includes('--download-only') && upgrade.includes('--from-downloaded'),
        switchDownloadOnly: sw.includes('--download-only'),
        softReboot: upgrade.includes('--soft-reboot'),
      };
    })();
    this.caps.catch(() => (this.caps = undefined));
    return this.caps;
  }

  async upgrade(): Promise<OsChange> {
    const before = await this.manageable();
    const caps = await this.capabilities();
    await this.run(['upgrade', ...(caps.downloadOnly ? ['--download-only'] : this.classic())], this.txTimeout);
    return this.outcome(before, `staged the newest ${before.specImage || 'image'}${caps.downloadOnly ? ' (download-only: applied only under the reboot lock)' : ''}`, 'no update available');
  }

  /**
   * Stages an image reference (tag or digest) download-only. A version or a
   * digest/checksum that names a deployment already here makes that one the
   * default (`bootc rollback` when it is the rollback deployment).
   */
  async deploy(target: string): Promise<OsChange> {
    const before = await this.manageable();
    const image = parseImageReference(target);
    const first = before.deployments[0];
    if (!image) return this.deployLocal(target, before);
    if (image.transport) throw new InvalidArgumentError('target', `${JSON.stringify(target)}: bootc takes a registry image without a transport prefix (${image.name}${image.tag ? `:${image.tag}` : ''}${image.digest ? `@${image.digest}` : ''})`);
    if (first && imageMatches(first, target)) {
      return { changed: false, message: `${describeDeployment(first)} is already the default deployment`, before, after: before };
    }
    const caps = await this.capabilities();
    if (before.specImage === target) {
      // Already following this reference: an upgrade fetches what it names now.
      await this.run(['upgrade', ...(caps.downloadOnly ? ['--download-only'] : this.classic())], this.txTimeout);
    } else if (caps.switchDownloadOnly) {
      await this.mutate(target, ['switch', '--download-only', target]);
    } else {
      await this.mutate(target, ['switch', target]);
      // The switch staged it unlocked; the same image again with --download-only locks it (already pulled: no download).
      if (caps.downloadOnly) await this.run(['upgrade', '--download-only'], this.txTimeout);
      else this.classic();
    }
    return this.outcome(before, `staged ${target}${caps.downloadOnly ? ' (download-only: applied only under the reboot lock)' : ''}`, `${target} is what runs already`);
  }

  async rollback(): Promise<OsChange> {
    return this.rollbackFrom(await this.manageable());
  }

  private async rollbackFrom(before: BootcStatus): Promise<OsChange> {
    if (!before.rollback) return { changed: false, message: 'no rollback deployment', before, after: before };
    await this.run(['rollback'], this.txTimeout);
    return this.outcome(before, `rollback: ${describeDeployment(before.rollback)} is the default again`, 'no deployment changed');
  }

  /** bootc has no command that drops a staged deployment; a queued rollback is undone by rolling back again. */
  async cleanup(): Promise<OsChange> {
    return this.cleanupFrom(await this.manageable());
  }

  private async cleanupFrom(before: BootcStatus): Promise<OsChange> {
    if (!before.pending) return { changed: false, message: 'no pending deployment to remove', before, after: before };
    if (before.rollbackQueued) {
      await this.run(['rollback'], this.txTimeout);
      return this.outcome(before, `undid the queued rollback: ${describeDeployment(before.booted)} is the default again`, 'no deployment changed');
    }
    const staged = before.pending;
    return {
      changed: false,
      message: `bootc cannot remove the staged ${describeDeployment(staged)}; ${staged.bootc?.downloadOnly ? 'it is download-only, so no reboot applies it' : 'the next switch or upgrade replaces it'}`,
      before,
      after: before,
    };
  }

  /**
   * Applies the staged deployment and REBOOTS into it: `bootc upgrade
   * --from-downloaded --apply`, with `--soft-reboot=auto` when asked (bootc
   * falls back to a full reboot itself if a soft one is not possible). Only
   * the reboot flow calls this, holding the lock; the digest must be the
   * staged one, so a deployment staged by someone else is not what boots.
   * Returns false when this bootc cannot (older than 1.12.0): the caller
   * reboots the usual way, which applies a classic staged deployment.
   */
  async applyStaged(digest: string, soft: boolean): Promise<boolean> {
    const before = await this.manageable();
    const staged = before.deployments.find((d) => d.staged);
    if (!staged || staged.checksum !== digest) throw new UnknownTargetError(digest, `among staged deployments (staged: ${describeDeployment(staged)})`);
    const caps = await this.capabilities();
    if (!caps.downloadOnly) return false;
    await this.run(['upgrade', '--from-downloaded', '--apply', ...(soft && caps.softReboot ? ['--soft-reboot=auto'] : [])], this.txTimeout);
    return true;
  }

  /** Status, refusing a host bootc does not manage. */
  private async manageable(): Promise<BootcStatus> {
    const status = await this.status();
    if (!status.booted) throw new NotBootcHostError();
    if (status.incompatible) throw new IncompatibleHostError('its deployment is marked incompatible');
    return status;
  }

  // Versions and checksums name deployments here; bootc fetches only image references.
  private async deployLocal(target: string, before: BootcStatus): Promise<OsChange> {
    const spec = parseTarget(target.startsWith('sha256:') ? target.slice('sha256:'.length) : target);
    const hex = (d: Deployment) => d.checksum.replace(/^sha256:/, '');
    const candidates = before.deployments.flatMap((d) => [{ checksum: hex(d), version: d.version }, ...(d.bootc?.ostreeChecksum ? [{ checksum: d.bootc.ostreeChecksum, version: '' }] : [])]);
    const match = resolveTarget(spec, candidates);
    const hit = match && before.deployments.find((d) => hex(d) === match.checksum || d.bootc?.ostreeChecksum === match.checksum);
    if (!hit) throw new UnknownTargetError(target, 'among the deployments (bootc fetches image references: give IMAGE:TAG or IMAGE@sha256:…)');
    if (hit.index === 0) return { changed: false, message: `${describeDeployment(hit)} is already the default deployment`, before, after: before };
    // Booted with a staged update in front: bootc cannot drop a staged deployment (cleanup() says so), and
    // `bootc rollback` would swap in the older rollback deployment too (bootc-dev/bootc#946).
    if (hit.booted) return this.cleanupFrom(before);
    if (hit === before.rollback) return this.rollbackFrom(before);
    throw new UnknownTargetError(target, `as a deployment bootc can make the default (it is ${describeDeployment(hit)}; deploy its image reference instead)`);
  }

  private classic(): string[] {
    if (!this.warned) {
      this.warned = true;
      this.log.warn(`this bootc has no --download-only (needs bootc >= ${DOWNLOAD_ONLY_SINCE}): updates are staged to apply at the next shutdown, so only the reboot flow's reboot should follow`);
    }
    return [];
  }

  private async outcome(before: OsStatus, message: string, unchanged: string): Promise<OsChange> {
    const after = await this.status();
    const changed = !sameDeployments(before, after) || after.deployments.some((d, i) => d.checksum !== before.deployments[i]?.checksum || d.bootc?.downloadOnly !== before.deployments[i]?.bootc?.downloadOnly);
    return { changed, message: changed ? message : unchanged, before, after };
  }

  // A switch to an image the registry does not have fails in bootc; make that the same typed error as a local miss.
  private async mutate(target: string, args: string[]): Promise<void> {
    try {
      await this.run(args, this.txTimeout);
    } catch (err) {
      if (err instanceof CommandError && err.failure === 'exit' && /manifest unknown|not found|name unknown|no such image/i.test(err.stderr)) {
        throw new UnknownTargetError(target, `in the registry (bootc: ${err.stderr.trim().split('\n').pop()})`);
      }
      throw err;
    }
  }

  private run(args: string[], timeoutMs: number) {
    return this.runner.run({ argv: [this.command, ...args], timeoutMs });
  }
}

/** Is this deployment what an image target names: the digest, or (tag target) the same reference? */
function imageMatches(d: Deployment, target: string): boolean {
  const ref = parseImageReference(target);
  return ref?.digest !== undefined && d.checksum === ref.digest;
}

// clap's wording for an option this bootc does not have ("unexpected argument '--format' found").
function isUnknownFlag(err: unknown): boolean {
  return err instanceof CommandError && err.failure === 'exit' && /unexpected argument|unrecognized option|wasn't expected|Found argument/i.test(err.stderr);
}
