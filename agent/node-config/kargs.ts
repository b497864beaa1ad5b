// Kernel arguments of a rendered config, per OS backend. They take effect at
// the next boot only: the agent stages them on the deployment that boots next
// and the reboot flow (under the lock) boots it.
//   ostree      `ostree admin kargs edit-in-place --append-if-missing=…` (every
//               deployment, the pending one too); deletes with
//               `--delete-if-present` where ostree has it (2024.x), else
//               `ostree admin instutil set-kargs` with the whole new list on the
//               default deployment (ostree 2022.7, Debian 12, has no delete).
//   rpm-ostree  `rpm-ostree kargs --append=… --delete=…` (a new staged deployment,
//               or the staged one changed, so an OS update staged too boots with them).
//   bootc       the same rpm-ostree command: bootc has no command for a host's own
//               kernel arguments (its kargs.d only comes with the image), and
//               Red Hat's image-mode guide edits them on bootc hosts with
//               `rpm-ostree kargs`. A bootc host without rpm-ostree is refused.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { KernelArguments } from '../../common/api/node-config.js';
import { FailedPreconditionError } from '../../common/errors.js';
import { CommandError, type CommandRunner } from '../../common/exec/runner.js';
import type { OsBackendName } from '../os/backend.js';
import { RPMOSTREE_ENV } from '../os/rpm-ostree.js';

export interface KargsEditor {
  readonly backend: OsBackendName;
  /** The arguments the next boot gets. */
  current(): Promise<string[]>;
  /** Makes exactly these changes (kargsChanges computed them from current()). */
  change(changes: KernelArguments): Promise<void>;
}

function keyOf(arg: string): string {
  const eq = arg.indexOf('=');
  return eq < 0 ? arg : arg.slice(0, eq);
}

/** Whether `arg` is matched by a delete entry: `key=value` exactly, a bare `key` any value of it. */
function deletes(entry: string, arg: string): boolean {
  return entry.includes('=') ? arg === entry : keyOf(arg) === entry;
}

/** Pure: what to append (absent) and delete (present) to reach the config from `current`; empty lists when nothing. */
export function kargsChanges(current: readonly string[], wanted: KernelArguments): KernelArguments {
  return {
    append: wanted.append.filter((a) => !current.includes(a)),
    delete: wanted.delete.filter((d) => current.some((arg) => deletes(d, arg))),
  };
}

export function hasChanges(changes: KernelArguments): boolean {
  return changes.append.length > 0 || changes.delete.length > 0;
}

const TIMEOUT_MS = 10 * 60_000;

export class OstreeKargs implements KargsEditor {
  readonly backend = 'ostree' as const;
  private deleteIfPresent: boolean | undefined;

  constructor(
    private readonly runner: CommandRunner,
    private readonly sysroot = '/',
    /** Where this process sees the sysroot's files: the sysroot, or the host's root mounted in a pod. */
    private readonly seenAt = sysroot,
  ) {}

  /** The `options` line of the default deployment's boot entry (the highest-numbered ostree-N-OS.conf). */
  async current(): Promise<string[]> {
    const dir = join(this.seenAt, 'boot/loader/entries');
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (err) {
      throw new FailedPreconditionError(`${dir}: cannot read the boot entries: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    const entries = names.map((n) => ({ n, serial: /^ostree-(\d+)-.+\.conf$/.exec(n)?.[1] })).filter((e) => e.serial !== undefined);
    const top = entries.sort((a, b) => Number(b.serial) - Number(a.serial))[0];
    if (!top) throw new FailedPreconditionError(`${dir}: no ostree boot entry`);
    const text = await readFile(join(dir, top.n), 'utf8');
    const options = /^options[ \t]+(.*)$/m.exec(text)?.[1] ?? '';
    return options.split(/\s+/).filter(Boolean);
  }

  async change(changes: KernelArguments): Promise<void> {
    const admin = ['ostree', 'admin', `--sysroot=${this.sysroot}`];
    if (changes.append.length > 0) {
      await this.runner.run({ argv: [...admin, 'kargs', 'edit-in-place', ...changes.append.map((a) => `--append-if-missing=${a}`)], timeoutMs: TIMEOUT_MS });
    }
    if (changes.delete.length === 0) return;
    if (await this.canDeleteInPlace()) {
      await this.runner.run({ argv: [...admin, 'kargs', 'edit-in-place', ...changes.delete.map((d) => `--delete-if-present=${d}`)], timeoutMs: TIMEOUT_MS });
      return;
    }
    // The whole list minus the deleted ones; ostree writes `ostree=` itself. As --append options:
    // ostree 2022.7 drops positional arguments after `--`, and without it one starting with `-` is an option.
    const kept = (await this.current()).filter((arg) => keyOf(arg) !== 'ostree' && !changes.delete.some((d) => deletes(d, arg)));
    await this.runner.run({ argv: [...admin, 'instutil', 'set-kargs', ...kept.map((k) => `--append=${k}`)], timeoutMs: TIMEOUT_MS });
  }

  private async canDeleteInPlace(): Promise<boolean> {
    this.deleteIfPresent ??= (await this.runner.run({ argv: ['ostree', 'admin', 'kargs', 'edit-in-place', '--help'], timeoutMs: 30_000 })).stdout.includes('--delete-if-present');
    return this.deleteIfPresent;
  }
}

export class RpmOstreeKargs implements KargsEditor {
  constructor(
    private readonly runner: CommandRunner,
    readonly backend: 'rpm-ostree' | 'bootc',
  ) {}

  /** `rpm-ostree kargs` alone prints the default deployment's arguments on one line. */
  async current(): Promise<string[]> {
    const result = await this.run(['rpm-ostree', 'kargs']);
    return result.stdout.trim().split(/\s+/).filter(Boolean);
  }

  async change(changes: KernelArguments): Promise<void> {
    await this.run(['rpm-ostree', 'kargs', ...changes.append.map((a) => `--append=${a}`), ...changes.delete.map((d) => `--delete=${d}`)]);
  }

  private async run(argv: string[]) {
    try {
      return await this.runner.run({ argv, timeoutMs: TIMEOUT_MS, env: { ...RPMOSTREE_ENV } });
    } catch (err) {
      if (this.backend === 'bootc' && err instanceof CommandError && err.failure === 'spawn') {
        throw new FailedPreconditionError('kernelArguments: this bootc host has no rpm-ostree; its kernel arguments can only come with the image (/usr/lib/bootc/kargs.d)');
      }
      throw err;
    }
  }
}

/** `seenAt`: where the ostree sysroot's files are for this process (a pod sees the host's / elsewhere). */
export function kargsEditor(backend: OsBackendName, runner: CommandRunner, sysroot?: string, seenAt?: string): KargsEditor {
  return backend === 'ostree' ? new OstreeKargs(runner, sysroot, seenAt ?? sysroot) : new RpmOstreeKargs(runner, backend);
}
