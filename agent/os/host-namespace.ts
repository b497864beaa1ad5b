// In a pod, the host's own bootc / rpm-ostree / ostree are run in the host's
// mount namespace (`nsenter --mount=/proc/1/ns/mnt -- bootc …`, with hostPID so
// /proc/1 is the host's init), as kured runs systemctl and machine-config-daemon
// chroots into /rootfs: the clients, their configuration and the sysroot are
// the host's, matching the host's bootc/rpm-ostree versions, and the agent's
// image does not carry them. Only the OS backends' commands go through this.
import type { CommandResult, CommandRunner, CommandSpec } from '../../common/exec/runner.js';

export class HostMountNamespaceRunner implements CommandRunner {
  constructor(
    private readonly inner: CommandRunner,
    /** The host's mount namespace, e.g. /proc/1/ns/mnt. */
    private readonly namespace: string,
  ) {}

  run(spec: CommandSpec): Promise<CommandResult> {
    return this.inner.run({ ...spec, argv: ['nsenter', `--mount=${this.namespace}`, '--', ...spec.argv] });
  }
}
