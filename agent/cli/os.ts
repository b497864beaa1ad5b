// hostpilot-agent os: the node's OS deployments (status, upgrade, deploy,
// rollback, cleanup, pin) through the bootc, rpm-ostree or ostree backend.
import { resolve } from 'node:path';
import { UsageError, boolFlag, parseFlags, stringFlag } from '../../common/cli.js';
import { HostpilotError } from '../../common/errors.js';
import { ProcessRunner, type CommandRunner } from '../../common/exec/runner.js';
import type { Deployment, OsBackendChoice, OsChange, OsStatus } from '../os/backend.js';
import { parseTarget } from '../../common/api/target.js';
import { BACKEND_CHOICES, selectOsBackend, type BackendSelection } from '../os/factory.js';
import { OstreeBackend } from '../os/ostree.js';
import type { AgentCommand, CommandIo } from './command.js';

const USAGE = `Usage: hostpilot-agent os COMMAND [options]

Commands:
  status              list deployments in boot order (the default first)
  upgrade             fetch and deploy the newest commit of the default deployment's origin
  deploy TARGET       make TARGET the default deployment: a version (commit "version"
                      metadata), a checksum or unique prefix (>= 7 hex digits), a refspec
                      (remote:ref), or a container image (IMAGE:TAG, IMAGE@sha256:DIGEST);
                      version=V, revision=SHA, refspec=R remove any doubt
  rollback            make the previous deployment the default again
  cleanup             remove the pending (deployed but not booted) deployment
  pin INDEX           keep deployment INDEX through later deploys (--unpin to release; ostree)

Options (anywhere after COMMAND):
  --backend NAME      auto (default: bootc, else rpm-ostree, else ostree), bootc,
                      rpm-ostree or ostree
  --sysroot DIR       the OSTree sysroot (ostree backend; default /)
  --host-mount-ns FILE  run the host's own OS clients in this mount namespace
                      (inside the agent's pod: /proc/1/ns/mnt)
  --json              machine-readable output: {"deployments":[...]} in boot order,
                      with the backend and why it was chosen
  --unpin             with pin: unpin
  -h, --help          this help

Changes take effect at the next boot. Exit status 0 also when nothing had to change.
`;

const OPTIONS = {
  backend: { type: 'string' },
  sysroot: { type: 'string' },
  'host-mount-ns': { type: 'string' },
  json: { type: 'boolean' },
  unpin: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The stable JSON form of one deployment. */
export function deploymentJson(d: Deployment): Record<string, unknown> {
  return {
    index: d.index,
    id: d.id,
    osname: d.osname,
    version: d.version,
    checksum: d.checksum,
    ...(d.baseChecksum ? { baseChecksum: d.baseChecksum } : {}),
    origin: d.origin,
    timestamp: d.timestamp,
    booted: d.booted,
    staged: d.staged,
    pinned: d.pinned,
    ...(d.bootc
      ? { image: d.bootc.image, ostreeChecksum: d.bootc.ostreeChecksum, incompatible: d.bootc.incompatible, softRebootCapable: d.bootc.softRebootCapable, downloadOnly: d.bootc.downloadOnly }
      : {}),
  };
}

export function statusJson(status: OsStatus, selection?: Pick<BackendSelection, 'name' | 'reason'>): Record<string, unknown> {
  return {
    deployments: status.deployments.map(deploymentJson),
    transactionActive: status.transactionActive,
    ...(selection ? { backend: selection.name, backendReason: selection.reason } : {}),
  };
}

export function formatTable(status: OsStatus): string {
  if (status.deployments.length === 0) return 'No deployments.\n';
  const rows = [['', 'INDEX', 'VERSION', 'CHECKSUM', 'STATE', 'ORIGIN']];
  for (const d of status.deployments) {
    const state = [
      d.booted ? 'booted' : '',
      status.pending === d ? 'pending' : '',
      status.rollback === d ? 'rollback' : '',
      d.staged ? 'staged' : '',
      d.pinned ? 'pinned' : '',
    ].filter(Boolean);
    rows.push([d.booted ? '*' : '', String(d.index), d.version || '-', d.checksum.slice(0, 12), state.join(',') || '-', d.origin || '-']);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join(' ').trimEnd()).join('\n') + (status.transactionActive ? '\n(an rpm-ostree transaction is in progress)' : '') + '\n';
}

/** For tests: inject the runner. */
export function makeOsCommand(runnerFactory: () => CommandRunner = () => new ProcessRunner()): AgentCommand {
  return {
    summary: 'OS deployments: status, upgrade, deploy, rollback, cleanup (bootc, rpm-ostree or ostree)',
    async main(args: string[], io: CommandIo): Promise<number> {
      const flags = parseFlags(args, OPTIONS, { positionals: true });
      if (boolFlag(flags, 'help')) {
        io.out(USAGE);
        return 0;
      }
      const [sub, ...rest] = flags.positionals;
      if (!sub) throw new UsageError('os: missing COMMAND (status, upgrade, deploy, rollback, cleanup, pin)');
      const json = boolFlag(flags, 'json');
      const arity: Record<string, number> = { status: 0, upgrade: 0, deploy: 1, rollback: 0, cleanup: 0, pin: 1 };
      const want = arity[sub];
      if (want === undefined) throw new UsageError(`os: unknown command ${JSON.stringify(sub)}`);
      if (rest.length !== want) throw new UsageError(`os ${sub}: expected ${want === 0 ? 'no argument' : sub === 'deploy' ? 'one TARGET' : 'one INDEX'}, got ${rest.length}`);
      if (boolFlag(flags, 'unpin') && sub !== 'pin') throw new UsageError('--unpin applies only to os pin');
      const backendName = stringFlag(flags, 'backend') ?? 'auto';
      if (!BACKEND_CHOICES.includes(backendName as OsBackendChoice)) throw new UsageError(`--backend: ${JSON.stringify(backendName)} is not one of ${BACKEND_CHOICES.join(', ')}`);
      const sysroot = stringFlag(flags, 'sysroot');
      if (sysroot !== undefined && backendName !== 'ostree' && backendName !== 'auto') throw new UsageError('--sysroot applies only to --backend ostree (or auto)');
      const hostNs = stringFlag(flags, 'host-mount-ns');
      if (hostNs !== undefined && !hostNs.startsWith('/')) throw new UsageError('--host-mount-ns: must be an absolute path');

      try {
        // A malformed target is refused before anything runs, backend detection included.
        if (sub === 'deploy') parseTarget(rest[0]!);
        const selection = await selectOsBackend({
          ...(hostNs !== undefined ? { hostMountNamespace: hostNs } : {}),
          backend: backendName as OsBackendChoice,
          ...(sysroot !== undefined ? { sysroot: resolve(sysroot) } : {}),
          runner: runnerFactory(),
        });
        const { backend } = selection;
        if (sub === 'status') {
          const status = await backend.status();
          io.out(json ? JSON.stringify(statusJson(status, selection), null, 2) : `${formatTable(status)}backend: ${selection.name} (${selection.reason})\n`);
          return 0;
        }
        let change: OsChange;
        if (sub === 'upgrade') change = await backend.upgrade();
        else if (sub === 'deploy') change = await backend.deploy(rest[0]!);
        else if (sub === 'rollback') change = await backend.rollback();
        else if (sub === 'cleanup') change = await backend.cleanup();
        else {
          if (!(backend instanceof OstreeBackend)) throw new UsageError('os pin: only with --backend ostree (on rpm-ostree hosts use `ostree admin pin`)');
          const index = rest[0]!;
          if (!/^\d+$/.test(index)) throw new UsageError(`os pin: INDEX ${JSON.stringify(index)} is not a number`);
          change = await backend.pin(Number(index), !boolFlag(flags, 'unpin'));
        }
        if (json) io.out(JSON.stringify({ changed: change.changed, message: change.message, ...statusJson(change.after, selection) }, null, 2));
        else io.out(`${change.changed ? '' : 'unchanged: '}${change.message}\n${formatTable(change.after)}`);
        return 0;
      } catch (err) {
        if (err instanceof HostpilotError) {
          io.err(`hostpilot-agent os ${sub}: ${err.message}`);
          return 1;
        }
        throw err;
      }
    },
  };
}

export const command: AgentCommand = makeOsCommand();
