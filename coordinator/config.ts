// The coordinator's command line, parsed and validated once. Errors name the flag.
import { parseHostPort, isLoopback, type HostPort } from '../common/address.js';
import { boolFlag, listFlag, parseFlags, stringFlag, UsageError } from '../common/cli.js';
import { parseDuration } from '../common/duration.js';
import { InvalidArgumentError } from '../common/errors.js';
import { defaultLogFormat, parseLogFormat, parseLogLevel, type LogFormat, type LogLevel } from '../common/log.js';
import { validateGroupName } from '../common/names.js';
import type { TlsFiles } from '../common/tls.js';
import { DEFAULT_LEADER_LEASE, parseLeaderLease } from './leader/open.js';
import { DEFAULT_MAX_GROUPS } from './locks/lock-service.js';
import { parseGitFlags } from './git/flags.js';
import { CONFIG_FILE_USAGE } from '../common/config-files.js';
import type { GitSourceConfig } from './git/config.js';
import { parseNotifyUrl } from '../common/notify-url.js';
import { DEFAULT_STORE, parseStoreSpec, type EtcdFlags } from './store/open.js';

export interface CoordinatorConfig {
  grpcListen: HostPort;
  httpListen: HostPort;
  store: string;
  /** --etcd-prefix/--etcd-ca/--etcd-cert/--etcd-key, for an etcd store. */
  etcd: EtcdFlags;
  /** etcd leader election lease, in seconds. */
  leaderLeaseSeconds: number;
  groups: Map<string, number>;
  allowNewGroups: boolean;
  newGroupSlots: number;
  /** At most this many groups created on first use exist at once. */
  maxGroups: number;
  lockTtlMs?: number;
  nodeTimeoutMs: number;
  heartbeatIntervalMs: number;
  rolloutIntervalMs: number;
  tls: TlsFiles;
  /** --fleetlock-client-certs: the default with --tls-ca, kept so existing command lines still work. */
  fleetLockClientCerts: boolean;
  /** --fleetlock-anonymous: with --tls-ca, FleetLock also admits clients without a certificate. */
  fleetLockAnonymous: boolean;
  adminIdentities: string[];
  insecure: boolean;
  logLevel: LogLevel;
  /** The git repository the fleet's resources are declared in (--git-url...). */
  git?: GitSourceConfig;
  /** Unset: JSON (what main.ts's default resolves to when stdout is not a terminal). */
  logFormat?: LogFormat;
  /** Webhooks that get a JSON event on rollout and lock changes (--notify-url). */
  notifyUrls?: string[];
}

export const COORDINATOR_USAGE = `Usage: hostpilot-coordinator [options]

Cluster-wide reboot locks (gRPC and FleetLock HTTP), the fleet's state, OS rollouts.

Options:
  --grpc-listen HOST:PORT     gRPC (agents, hostpilotctl) [127.0.0.1:7070]
  --http-listen HOST:PORT     FleetLock, /metrics, /healthz, /readyz [127.0.0.1:7080]
  --store SPEC                sqlite:PATH or etcd:http://HOST:PORT[,...] [${DEFAULT_STORE}]
  --etcd-prefix PATH          key prefix in etcd [/hostpilot/]
  --etcd-ca FILE --etcd-cert FILE --etcd-key FILE   TLS to etcd (https:// endpoints) [none]
  --leader-lease DURATION     etcd: the rollout leader's lease; a new leader takes over within it [10s]
  --group NAME=SLOTS          a lock group and its slots; repeatable [default=1]
  --allow-new-groups          accept any valid group name, with --new-group-slots slots [off]
  --new-group-slots N         slots of a group created on first use [1]
  --max-groups N              at most N groups created on first use at once; one nobody holds is deleted [1000]
  --lock-ttl DURATION         a held slot expires after this (e.g. 2h) [never]
  --node-timeout DURATION     a silent node counts as unreachable after this [2m]
  --heartbeat-interval DUR    how often agents report when nothing changes [10s]
  --rollout-interval DUR      how often rollouts are stepped [2s]
  --tls-cert FILE             server certificate (gRPC and HTTP) [none: plain text]
  --tls-key FILE              server key [none]
  --tls-ca FILE               CA for client certificates: gRPC and FleetLock then require them [none]
  --fleetlock-client-certs    require client certificates on FleetLock HTTPS [on with --tls-ca]
  --fleetlock-anonymous       with --tls-ca, also admit FleetLock clients without a certificate (never for a node that has one) [off]
  --admin-identity NAME       certificate identity (CN/SAN) allowed admin calls; repeatable [none]
  --insecure                  allow listening on a non-loopback address without TLS [off]
  --git-url URL               follow resources declared in this git repository (https, ssh, git, file) [none]
  --git-ref REF               the branch, tag or full SHA to follow [main]
  --git-path DIR              the directory of the repository holding the documents [.]
  --git-interval DURATION     how often the source is fetched [1m]
  --git-suspend               keep the source configured but stop syncing it [off]
  --git-ssh-key FILE          SSH private key for the remote (never put credentials in the URL) [none]
  --git-token-file FILE       file holding an HTTPS access token for the remote [none]
  --git-cache-dir DIR         where the fetched repository is kept [next to the SQLite file, or /var/lib/hostpilot/git-cache]
  --notify-url URL            webhook for rollout, node and lock events (docs/operations.md); repeatable [none]
  --log-level LEVEL           debug|info|warn|error [info]
  --log-format FORMAT         json|text [text on a terminal, else json]
  --version                   print the version
${CONFIG_FILE_USAGE}  -h, --help                  this help

Settings also come from YAML files in /usr/lib/hostpilot/coordinator.d, /run/hostpilot/coordinator.d
and /etc/hostpilot/coordinator.d (later wins; flags win over files); keys are the flag names.
`;

export const COORDINATOR_OPTIONS = {
  'grpc-listen': { type: 'string' },
  'http-listen': { type: 'string' },
  store: { type: 'string' },
  'etcd-prefix': { type: 'string' },
  'etcd-ca': { type: 'string' },
  'etcd-cert': { type: 'string' },
  'etcd-key': { type: 'string' },
  'leader-lease': { type: 'string' },
  group: { type: 'string', multiple: true },
  'allow-new-groups': { type: 'boolean' },
  'new-group-slots': { type: 'string' },
  'max-groups': { type: 'string' },
  'lock-ttl': { type: 'string' },
  'node-timeout': { type: 'string' },
  'heartbeat-interval': { type: 'string' },
  'rollout-interval': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-ca': { type: 'string' },
  'fleetlock-client-certs': { type: 'boolean' },
  'fleetlock-anonymous': { type: 'boolean' },
  'admin-identity': { type: 'string', multiple: true },
  insecure: { type: 'boolean' },
  'git-url': { type: 'string' },
  'git-ref': { type: 'string' },
  'git-path': { type: 'string' },
  'git-interval': { type: 'string' },
  'git-suspend': { type: 'boolean' },
  'git-ssh-key': { type: 'string' },
  'git-token-file': { type: 'string' },
  'git-cache-dir': { type: 'string' },
  'notify-url': { type: 'string', multiple: true },
  'log-level': { type: 'string' },
  'log-format': { type: 'string' },
  version: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function positiveInt(text: string, field: string, max = 1_000_000): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max) throw new InvalidArgumentError(field, `${JSON.stringify(text)} is not a whole number from 1 to ${max}`);
  return Number(text);
}

export function parseGroups(specs: string[]): Map<string, number> {
  const groups = new Map<string, number>();
  for (const spec of specs) {
    const m = /^([^=]*)=(.*)$/.exec(spec);
    if (!m) throw new InvalidArgumentError('--group', `${JSON.stringify(spec)} is not NAME=SLOTS`);
    const name = validateGroupName(m[1], '--group');
    if (groups.has(name)) throw new InvalidArgumentError('--group', `group ${name} given twice`);
    groups.set(name, positiveInt(m[2]!, `--group ${name}`));
  }
  if (groups.size === 0) groups.set('default', 1);
  return groups;
}

/** Returns 'help' / 'version' for those flags. Throws UsageError otherwise. */
export function parseCoordinatorArgs(argv: string[]): CoordinatorConfig | 'help' | 'version' {
  const flags = parseFlags(argv, COORDINATOR_OPTIONS);
  if (boolFlag(flags, 'help')) return 'help';
  if (boolFlag(flags, 'version')) return 'version';
  const str = (name: string, fallback: string) => stringFlag(flags, name) ?? fallback;
  try {
    const config: CoordinatorConfig = {
      grpcListen: parseHostPort(str('grpc-listen', '127.0.0.1:7070'), '--grpc-listen'),
      httpListen: parseHostPort(str('http-listen', '127.0.0.1:7080'), '--http-listen'),
      store: str('store', DEFAULT_STORE),
      etcd: {
        ...(stringFlag(flags, 'etcd-prefix') !== undefined ? { prefix: stringFlag(flags, 'etcd-prefix')! } : {}),
        ...(stringFlag(flags, 'etcd-ca') !== undefined ? { ca: stringFlag(flags, 'etcd-ca')! } : {}),
        ...(stringFlag(flags, 'etcd-cert') !== undefined ? { cert: stringFlag(flags, 'etcd-cert')! } : {}),
        ...(stringFlag(flags, 'etcd-key') !== undefined ? { key: stringFlag(flags, 'etcd-key')! } : {}),
      },
      leaderLeaseSeconds: parseLeaderLease(str('leader-lease', DEFAULT_LEADER_LEASE)),
      groups: parseGroups(listFlag(flags, 'group')),
      allowNewGroups: boolFlag(flags, 'allow-new-groups'),
      newGroupSlots: positiveInt(str('new-group-slots', '1'), '--new-group-slots'),
      maxGroups: positiveInt(str('max-groups', String(DEFAULT_MAX_GROUPS)), '--max-groups'),
      nodeTimeoutMs: parseDuration(str('node-timeout', '2m'), '--node-timeout'),
      heartbeatIntervalMs: parseDuration(str('heartbeat-interval', '10s'), '--heartbeat-interval'),
      rolloutIntervalMs: parseDuration(str('rollout-interval', '2s'), '--rollout-interval'),
      tls: { cert: stringFlag(flags, 'tls-cert'), key: stringFlag(flags, 'tls-key'), ca: stringFlag(flags, 'tls-ca') },
      fleetLockClientCerts: boolFlag(flags, 'fleetlock-client-certs'),
      fleetLockAnonymous: boolFlag(flags, 'fleetlock-anonymous'),
      adminIdentities: listFlag(flags, 'admin-identity'),
      insecure: boolFlag(flags, 'insecure'),
      logLevel: parseLogLevel(str('log-level', 'info')),
      logFormat: parseLogFormat(str('log-format', defaultLogFormat())),
      notifyUrls: listFlag(flags, 'notify-url').map((url) => parseNotifyUrl(url, '--notify-url')),
    };
    const ttl = stringFlag(flags, 'lock-ttl');
    if (ttl !== undefined) config.lockTtlMs = parseDuration(ttl, '--lock-ttl');
    const spec = parseStoreSpec(config.store, config.etcd);
    const git = parseGitFlags(flags, spec);
    if (git) config.git = git;
    if (spec.kind === 'sqlite' && Object.keys(config.etcd).length > 0) throw new InvalidArgumentError('--etcd-prefix/--etcd-ca/--etcd-cert/--etcd-key', 'apply only to --store etcd:...');
    if (config.rolloutIntervalMs < 100) throw new InvalidArgumentError('--rollout-interval', 'must be at least 100ms');
    if (config.heartbeatIntervalMs < 100) throw new InvalidArgumentError('--heartbeat-interval', 'must be at least 100ms');
    if (config.fleetLockClientCerts && !config.tls.ca) throw new InvalidArgumentError('--fleetlock-client-certs', 'needs --tls-ca to verify client certificates');
    if (stringFlag(flags, 'max-groups') !== undefined && !config.allowNewGroups) throw new InvalidArgumentError('--max-groups', 'applies only with --allow-new-groups');
    if (config.fleetLockAnonymous && !config.tls.ca) throw new InvalidArgumentError('--fleetlock-anonymous', 'applies only with --tls-ca (without it no API checks certificates)');
    if (config.fleetLockAnonymous && config.fleetLockClientCerts) throw new InvalidArgumentError('--fleetlock-anonymous', 'contradicts --fleetlock-client-certs');
    if (config.adminIdentities.length > 0 && !config.tls.ca) throw new InvalidArgumentError('--admin-identity', 'needs --tls-ca (identities come from client certificates)');
    checkExposure(config);
    return config;
  } catch (err) {
    if (err instanceof InvalidArgumentError || err instanceof Error) throw new UsageError(err.message);
    throw err;
  }
}

// Without TLS anyone who can reach the port could take or free reboot locks:
// that is only acceptable on loopback, or when the operator says so.
function checkExposure(config: CoordinatorConfig): void {
  if (config.tls.cert || config.insecure) return;
  for (const [flag, addr] of [['--grpc-listen', config.grpcListen], ['--http-listen', config.httpListen]] as const) {
    if (!isLoopback(addr.host)) {
      throw new InvalidArgumentError(flag, `${addr.host} is not a loopback address and no TLS is configured (give --tls-cert/--tls-key, or --insecure to accept the risk)`);
    }
  }
}
