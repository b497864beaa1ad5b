// A bootc host behind the command runner, for reboot-flow and rollout tests
// that need bootc to change state between calls (a RecordedRunner replays
// fixed outputs; this one answers the few bootc commands hostpilot runs the way
// bootc does, per bootc-dev/bootc crates/lib/src/cli.rs `upgrade`/`switch`).
// Its `status --format json` has the shape of the upstream fixtures
// (test/fixtures/bootc/), built from the state here. bootc cannot run on these
// machines; the backend's parsing is tested against the real outputs directly.
import { CommandError, validateArgv, type CommandResult, type CommandRunner, type CommandSpec } from '../../common/exec/runner.js';

export interface SimImage {
  digest: string;
  version: string;
}

interface Entry extends SimImage {
  image: string;
  ostree: string;
  downloadOnly: boolean;
  softRebootCapable: boolean;
}

export interface BootcCaps {
  downloadOnly: boolean;
  switchDownloadOnly: boolean;
  softReboot: boolean;
}

export const digestOf = (n: number | string) => `sha256:${String(n).repeat(64).slice(0, 64)}`;

export class BootcHostSim implements CommandRunner {
  readonly calls: string[][] = [];
  /** What happened, in order: `download <digest>`, `apply <soft|full>`, and whatever the test pushes (lock, unlock). */
  readonly events: string[];
  /** Tag references the "registry" serves, and the digests it has. */
  readonly tags = new Map<string, SimImage>();
  readonly images = new Map<string, SimImage>();
  caps: BootcCaps = { downloadOnly: true, switchDownloadOnly: false, softReboot: true };
  /** Whether the next staged deployment may be soft-rebooted into (bootc decides it from kernel and initramfs). */
  softRebootCapable = false;
  incompatible = false;
  specImage: string;
  booted: Entry;
  staged: Entry | undefined;
  rollback: Entry | undefined;
  rollbackQueued = false;
  bootId = 1;
  /** Lock state when each download and apply happened, checked by the tests. */
  readonly lockedAt: Array<{ event: string; locked: boolean }> = [];
  private serial = 0;

  constructor(
    image: string,
    booted: SimImage,
    private readonly lockHeld: () => boolean,
    events: string[] = [],
  ) {
    this.events = events;
    this.specImage = image;
    this.images.set(booted.digest, booted);
    this.booted = this.entry(image, booted, false);
  }

  /** The registry moves a tag (or publishes one). */
  publish(reference: string, image: SimImage): void {
    this.tags.set(reference, image);
    this.images.set(image.digest, image);
  }

  async run(spec: CommandSpec): Promise<CommandResult> {
    validateArgv(spec.argv);
    const argv = [...spec.argv];
    this.calls.push(argv);
    const [cmd, sub, ...rest] = argv;
    if (cmd !== 'bootc') return this.fail(argv, 127, `${cmd}: not found`);
    const flags = new Set(rest.filter((a) => a.startsWith('--')));
    const args = rest.filter((a) => !a.startsWith('--'));
    switch (sub) {
      case 'status':
        return this.ok(argv, JSON.stringify(this.document(), null, 2));
      case 'upgrade':
        if (flags.has('--help')) return this.ok(argv, this.help('upgrade'));
        if (flags.has('--from-downloaded')) return this.applyDownloaded(argv, flags);
        return this.pull(argv, this.specImage, flags.has('--download-only'));
      case 'switch':
        if (flags.has('--help')) return this.ok(argv, this.help('switch'));
        if (flags.has('--download-only') && !this.caps.switchDownloadOnly) return this.fail(argv, 2, "error: unexpected argument '--download-only' found");
        this.specImage = args[0]!;
        return this.pull(argv, args[0]!, flags.has('--download-only'));
      case 'rollback':
        if (!this.rollback) return this.fail(argv, 1, 'error: No rollback available');
        this.staged = undefined;
        this.rollbackQueued = !this.rollbackQueued;
        return this.ok(argv, 'Next boot: rollback deployment\n');
      default:
        return this.fail(argv, 2, `error: unrecognized subcommand '${sub}'`);
    }
  }

  /** A full reboot by someone else (systemd): a staged deployment is applied unless download-only. */
  rebootFull(): void {
    if (this.rollbackQueued && this.rollback) {
      [this.booted, this.rollback] = [this.rollback, this.booted];
      this.rollbackQueued = false;
    } else if (this.staged && !this.staged.downloadOnly) {
      this.rollback = this.booted;
      this.booted = this.staged;
    }
    this.staged = undefined;
    this.bootId++;
    this.events.push('reboot full');
  }

  private pull(argv: string[], reference: string, downloadOnly: boolean): CommandResult {
    const at = reference.indexOf('@');
    const image = at >= 0 ? this.images.get(reference.slice(at + 1)) : this.tags.get(reference);
    if (!image) return this.fail(argv, 1, `error: Switching: Pulling: Creating importer: reading manifest ${reference}: manifest unknown`);
    if (this.staged?.digest === image.digest) {
      this.staged.downloadOnly = downloadOnly;
      return this.ok(argv, 'Staged update present, not changed\n');
    }
    if (this.booted.digest === image.digest) return this.ok(argv, 'No update available.\n');
    this.note(`download ${image.digest}`);
    this.staged = this.entry(reference, image, downloadOnly);
    return this.ok(argv, `Queued for next boot: ${reference}\n  Digest: ${image.digest}\n`);
  }

  private applyDownloaded(argv: string[], flags: Set<string>): CommandResult {
    if (!this.caps.downloadOnly) return this.fail(argv, 2, "error: unexpected argument '--from-downloaded' found");
    if (!this.staged) return this.fail(argv, 1, 'error: No staged deployment found');
    const soft = flags.has('--soft-reboot=auto') && this.staged.softRebootCapable;
    this.note(`apply ${soft ? 'soft' : 'full'}`);
    this.rollback = this.booted;
    this.booted = this.staged;
    this.staged = undefined;
    // A soft reboot keeps the kernel, and with it the kernel's boot id.
    if (!soft) this.bootId++;
    return this.ok(argv, 'Staged deployment will now be applied on reboot\n');
  }

  private note(event: string): void {
    this.events.push(event);
    this.lockedAt.push({ event, locked: this.lockHeld() });
  }

  private entry(image: string, img: SimImage, downloadOnly: boolean): Entry {
    return { image, ...img, ostree: String(++this.serial % 10).repeat(64), downloadOnly, softRebootCapable: this.softRebootCapable };
  }

  private json(e: Entry | undefined) {
    if (!e) return null;
    return {
      image: { image: { image: e.image, transport: 'registry' }, version: e.version, timestamp: null, imageDigest: e.digest, architecture: 'amd64' },
      cachedUpdate: null,
      incompatible: this.incompatible,
      pinned: false,
      softRebootCapable: e.softRebootCapable,
      downloadOnly: e.downloadOnly,
      ostree: { checksum: e.ostree, deploySerial: 0, stateroot: 'default' },
    };
  }

  private document() {
    return {
      apiVersion: 'org.containers.bootc/v1',
      kind: 'BootcHost',
      metadata: { name: 'host' },
      spec: { image: { image: this.specImage, transport: 'registry' }, bootOrder: this.rollbackQueued ? 'rollback' : 'default' },
      status: { staged: this.json(this.staged), booted: this.json(this.booted), rollback: this.json(this.rollback), rollbackQueued: this.rollbackQueued, type: 'bootcHost' },
    };
  }

  private help(sub: 'upgrade' | 'switch'): string {
    const lines = ['Usage: bootc ' + sub + ' [OPTIONS]', '      --quiet', '      --apply'];
    if (this.caps.softReboot) lines.push('      --soft-reboot <SOFT_REBOOT>');
    if (sub === 'upgrade' && this.caps.downloadOnly) lines.push('      --download-only', '      --from-downloaded');
    if (sub === 'switch' && this.caps.switchDownloadOnly) lines.push('      --download-only');
    return lines.join('\n') + '\n';
  }

  private ok(argv: string[], stdout: string): CommandResult {
    return { argv, exitCode: 0, stdout, stderr: '', truncated: false, durationMs: 0 };
  }

  private fail(argv: string[], code: number, stderr: string): never {
    throw new CommandError('exit', argv, code, null, '', stderr, `exit code ${code}: ${stderr}`);
  }
}
