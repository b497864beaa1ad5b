// `hostpilot-agent run` options, parsed and validated once. Errors name the flag.
import { join } from 'node:path';
import { parseHostPort, type HostPort } from '../common/address.js';
import { boolFlag, listFlag, parseFlags, stringFlag, UsageError } from '../common/cli.js';
import { CONFIG_FILE_USAGE } from '../common/config-files.js';
import { InvalidArgumentError } from '../common/errors.js';
import { defaultLogFormat, parseLogFormat, parseLogLevel, type LogFormat, type LogLevel } from '../common/log.js';
import type { TlsFiles } from '../common/tls.js';
import { parseDuration } from '../common/duration.js';
import { validateGroupName } from '../common/names.js';
import { parseWindow, type RebootWindow } from '../common/window.js';
import type { OsBackendChoice } from './os/backend.js';
import { parseBackendName } from './os/factory.js';
import type { SoftRebootPolicy } from './reboot/bootc-rebooter.js';
import type { StorageConfig } from './storage/config.js';
import type { UnitsConfig } from './systemd/units-config.js';
import type { MonitorConfig } from './problems/config.js';
import { loadMonitorConfigs } from './problems/detector.js';
import { loadAgentSections, loadStorageFile } from './config-files.js';
import type { RemediationConfig } from './remediation/config.js';
import { DEFAULT_CONFIG_DIR, DEFAULT_STATE_DIR, IMAGE_DIR, PATH_OPTIONS, RUNTIME_DIR, absolutePath, pathsFromFlags, type AgentPaths } from './paths.js';
import { K8S_FLAG_OPTIONS, K8S_USAGE, parseK8sFlags, type K8sConfig } from './k8s/flags.js';
import { parseLabelPairs, readLabelsFile } from './labels.js';
import { resolveNodeId } from './identity.js';

export interface AgentConfig {
  coordinator: string;
  metricsListen: HostPort;
  nodeId: string;
  labels: Record<string, string>;
  tls: TlsFiles;
  logLevel: LogLevel;
  /** Unset: JSON. */
  logFormat?: LogFormat;
  /** Every file and directory the agent reads or writes, from --state-dir and --config-dir. */
  paths: AgentPaths;
  /** agent.json: declared and watched units. */
  units: UnitsConfig;
  /** agent.json: what the fleet's remediation may do here (which units it may restart). */
  remediation: RemediationConfig;
  reboot: RebootConfig;
  /** Problem monitor files or directories (NPD format), later overriding earlier by file name. */
  monitorDirs: string[];
  /** The monitors those hold, loaded and validated in the config step. */
  monitors: MonitorConfig[];
  /** Reconcile the host side of hostpilot-cni pods (routes, proxy ARP, veths). */
  podNetwork: boolean;
  cniStateDir: string;
  /** The thin pool to watch (storage.json); undefined when the node has none. */
  storageConfig?: StorageConfig;
  /** Cordon/drain around reboots and node status in the API; undefined when not on Kubernetes. */
  kubernetes?: K8sConfig;
  /** Where the coordinator's node configs are converged, and how often drift is checked. */
  nodeConfig: NodeConfigSettings;
}

export interface NodeConfigSettings {
  /** "/" on a node; a directory standing in for it on a sandbox host (files, units, sysctl.d, proc/sys under it). */
  root: string;
  /** 0: drift only checked after an apply. */
  driftIntervalMs: number;
}

export interface RebootConfig {
  backend: OsBackendChoice;
  /** bootc: soft-reboot (userspace only) into a staged deployment bootc calls softRebootCapable. */
  softReboot: SoftRebootPolicy;
  /** Run the host's bootc/rpm-ostree/ostree in this mount namespace (the DaemonSet: /proc/1/ns/mnt). */
  hostMountNamespace?: string;
  sysroot?: string;
  lockGroup: string;
  lockApi: 'grpc' | 'fleetlock';
  fleetLockUrl?: string;
  windows: RebootWindow[];
  checkIntervalMs: number;
  healthTimeoutMs: number;
  hookTimeoutMs: number;
  retryDelayMs: number;
  rebootRequiredFile: string;
  /** Sandbox host: "reboot" by booting the sysroot's default deployment and restarting the agent. */
  sandbox: boolean;
}

export const RUN_USAGE = `Usage: hostpilot-agent run [options]

Runs the node agent: registers with the coordinator, reports, serves metrics.

Options:
  --coordinator HOST:PORT   the coordinator's gRPC address [127.0.0.1:7070]
  --metrics-listen ADDR:PORT  /metrics and /healthz [127.0.0.1:9102]
  --node-id ID              this node's id [/etc/machine-id, else the hostname]
  --label KEY=VALUE         a node label (pool, rack, zone, ...); repeatable
  --labels-file FILE        KEY=VALUE lines [CONFIG-DIR/labels]
  --tls-cert FILE           client certificate (its CN/SAN is the node identity)
  --tls-key FILE            client key
  --tls-ca FILE             CA that signed the coordinator's certificate
  --state-dir DIR           the reboot flow, conditions, CNI records [${DEFAULT_STATE_DIR}]
  --config-dir DIR          agent.json, storage.json, labels, monitors.d, blockers.d,
                            health.d, pre-/post-reboot.d [${DEFAULT_CONFIG_DIR}]
  --log-level LEVEL         debug|info|warn|error [info]
  --log-format FORMAT       json|text [text on a terminal, else json]
  --monitors-dir DIR        problem monitors (node-problem-detector JSON); repeatable
                            [${IMAGE_DIR}/monitors.d, ${RUNTIME_DIR}/monitors.d, CONFIG-DIR/monitors.d]
  --pod-network             reconcile hostpilot-cni pods, serve the CNI socket; routed mode (BIRD) per agent.json "podNetwork"
  --cni-state-dir DIR       hostpilot-cni's records [STATE-DIR/cni]
  --storage-config FILE     the thin pool to watch (docs/storage.md) [CONFIG-DIR/storage.json if present]

OS updates and reboots:
  --backend NAME            auto|bootc|rpm-ostree|ostree [auto: bootc, else rpm-ostree, else ostree]
  --soft-reboot POLICY      auto|never: bootc soft reboot when the staged image allows it [auto]
  --host-mount-ns FILE      run the host's own OS clients in this mount namespace (a pod: /proc/1/ns/mnt)
  --sysroot DIR             the ostree sysroot [/]
  --lock-group NAME         reboot-lock group [default]
  --lock-api API            grpc|fleetlock [grpc]
  --fleetlock-url URL       FleetLock server for --lock-api fleetlock
  --reboot-window SPEC      e.g. "Mon-Fri 02:00-05:00 Europe/Berlin"; repeatable [any time]
  --check-interval DUR      how often the flow looks for work [60s]
  --health-timeout DUR      after boot, how long checks may fail before a rollback [5m]
  --hook-timeout DUR        per hook, blocker and health executable [5m]
  --retry-delay DUR         after a failed pre-reboot hook or drain [5m]
  --reboot-required-file F  a reboot into the same deployment is wanted [/run/reboot-required]
  --sandbox                 sandbox host: reboot = boot the sysroot's default, restart (exit 75)

Node configuration (the coordinator's NodeConfigs, docs/node-config.md):
  --node-config-root DIR    the root node configs are converged under: files, DIR/etc/systemd/system,
                            DIR/etc/sysctl.d, DIR/proc/sys; another directory only for sandbox hosts
                            [/; with --sandbox: STATE-DIR/node-root]
  --config-drift-interval DUR  how often managed files, units and sysctls are compared [60s]; 0s: after applies only

${K8S_USAGE}
${CONFIG_FILE_USAGE}  -h, --help                this help

Settings also come from YAML files in /usr/lib/hostpilot/agent.d, /run/hostpilot/agent.d and
/etc/hostpilot/agent.d (later wins; flags win over files); keys are the flag names.
`;

export const RUN_OPTIONS = {
  coordinator: { type: 'string' },
  'metrics-listen': { type: 'string' },
  'node-id': { type: 'string' },
  label: { type: 'string', multiple: true },
  'labels-file': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-ca': { type: 'string' },
  ...PATH_OPTIONS,
  'monitors-dir': { type: 'string', multiple: true },
  'pod-network': { type: 'boolean' },
  'cni-state-dir': { type: 'string' },
  'storage-config': { type: 'string' },
  'log-level': { type: 'string' },
  'log-format': { type: 'string' },
  backend: { type: 'string' },
  'soft-reboot': { type: 'string' },
  'host-mount-ns': { type: 'string' },
  sysroot: { type: 'string' },
  'lock-group': { type: 'string' },
  'lock-api': { type: 'string' },
  'fleetlock-url': { type: 'string' },
  'reboot-window': { type: 'string', multiple: true },
  'check-interval': { type: 'string' },
  'health-timeout': { type: 'string' },
  'hook-timeout': { type: 'string' },
  'retry-delay': { type: 'string' },
  'reboot-required-file': { type: 'string' },
  sandbox: { type: 'boolean' },
  'node-config-root': { type: 'string' },
  'config-drift-interval': { type: 'string' },
  ...K8S_FLAG_OPTIONS,
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseAgentArgs(argv: string[]): AgentConfig | undefined {
  const flags = parseFlags(argv, RUN_OPTIONS);
  if (boolFlag(flags, 'help')) return undefined;
  const config = asUsageError(() => parseRunFlags(flags));
  return { ...config, ...loadConfigFiles(flags, config.paths, config.monitorDirs) };
}

/** A bad flag is a usage error (exit 2, "see --help"); a bad file is an error naming the file (exit 1). */
function asUsageError<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function parseRunFlags(flags: ReturnType<typeof parseFlags>): Omit<AgentConfig, ConfigFileKeys> {
  const coordinator = stringFlag(flags, 'coordinator') ?? '127.0.0.1:7070';
  parseHostPort(coordinator, '--coordinator');
  const paths = pathsFromFlags(flags);
  const nodeId = resolveNodeId(stringFlag(flags, 'node-id'));
  const kubernetes = parseK8sFlags(flags, nodeId, Boolean(process.env.KUBERNETES_SERVICE_HOST));
  const monitorDirs = listFlag(flags, 'monitors-dir').map((d) => absolutePath(d, '--monitors-dir'));
  const cniStateDir = stringFlag(flags, 'cni-state-dir');
  return {
    paths,
    monitorDirs: monitorDirs.length ? monitorDirs : paths.monitorDirs,
    podNetwork: boolFlag(flags, 'pod-network'),
    cniStateDir: cniStateDir === undefined ? paths.cniStateDir : absolutePath(cniStateDir, '--cni-state-dir'),
    reboot: parseRebootConfig(flags),
    coordinator,
    metricsListen: parseHostPort(stringFlag(flags, 'metrics-listen') ?? '127.0.0.1:9102', '--metrics-listen'),
    nodeId,
    ...(kubernetes ? { kubernetes } : {}),
    tls: { cert: stringFlag(flags, 'tls-cert'), key: stringFlag(flags, 'tls-key'), ca: stringFlag(flags, 'tls-ca') },
    logLevel: parseLogLevel(stringFlag(flags, 'log-level') ?? 'info'),
    logFormat: parseLogFormat(stringFlag(flags, 'log-format') ?? defaultLogFormat()),
    nodeConfig: {
      // A sandbox host never converges onto the machine it runs on.
      root: absolutePath(stringFlag(flags, 'node-config-root') ?? (boolFlag(flags, 'sandbox') ? join(paths.stateDir, 'node-root') : '/'), '--node-config-root'),
      driftIntervalMs: parseDuration(stringFlag(flags, 'config-drift-interval') ?? '60s', '--config-drift-interval'),
    },
  };
}

/**
 * Every configuration file the agent reads, loaded once, here: the one place
 * to extend with layered files. An absent default file configures nothing; a
 * file a flag names must exist. Errors name the file.
 */
type ConfigFileKeys = 'labels' | 'units' | 'remediation' | 'storageConfig' | 'monitors';

function loadConfigFiles(flags: ReturnType<typeof parseFlags>, paths: AgentPaths, monitorDirs: string[]): Pick<AgentConfig, ConfigFileKeys> {
  const labels = {
    ...readLabelsFile(stringFlag(flags, 'labels-file') ?? paths.labels),
    ...asUsageError(() => parseLabelPairs(listFlag(flags, 'label'), '--label')),
  };
  const storagePath = stringFlag(flags, 'storage-config');
  const storageConfig = loadStorageFile(storagePath ?? paths.storageConfig, storagePath === undefined);
  return {
    labels,
    ...loadAgentSections(paths.agentConfig, true),
    ...(storageConfig ? { storageConfig } : {}),
    monitors: loadMonitorConfigs(monitorDirs, { optional: true }),
  };
}

function parseRebootConfig(flags: ReturnType<typeof parseFlags>): RebootConfig {
  const sysroot = stringFlag(flags, 'sysroot');
  const chosen = parseBackendName(stringFlag(flags, 'backend') ?? 'auto', '--backend');
  // A sysroot is an OSTree one: with it, auto can only mean ostree.
  const backend = sysroot !== undefined && chosen === 'auto' ? 'ostree' : chosen;
  const softReboot = stringFlag(flags, 'soft-reboot') ?? 'auto';
  if (softReboot !== 'auto' && softReboot !== 'never') throw new InvalidArgumentError('--soft-reboot', `${JSON.stringify(softReboot)} is not auto or never`);
  if (sysroot !== undefined && backend !== 'ostree') throw new InvalidArgumentError('--sysroot', 'applies only to --backend ostree (or auto)');
  const lockApi = stringFlag(flags, 'lock-api') ?? 'grpc';
  if (lockApi !== 'grpc' && lockApi !== 'fleetlock') throw new InvalidArgumentError('--lock-api', `${JSON.stringify(lockApi)} is not grpc or fleetlock`);
  const fleetLockUrl = stringFlag(flags, 'fleetlock-url');
  if (lockApi === 'fleetlock' && !fleetLockUrl) throw new InvalidArgumentError('--fleetlock-url', 'is required with --lock-api fleetlock');
  if (fleetLockUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(fleetLockUrl)) throw new InvalidArgumentError('--fleetlock-url', `${JSON.stringify(fleetLockUrl)} is not an http(s) URL`);
  const sandbox = boolFlag(flags, 'sandbox');
  if (sandbox && (backend !== 'ostree' || sysroot === undefined)) throw new InvalidArgumentError('--sandbox', 'needs --backend ostree and --sysroot (a sandbox sysroot)');
  const duration = (name: string, fallback: string) => parseDuration(stringFlag(flags, name) ?? fallback, `--${name}`);
  const hostMountNamespace = stringFlag(flags, 'host-mount-ns');
  if (hostMountNamespace !== undefined && sysroot !== undefined) throw new InvalidArgumentError('--host-mount-ns', 'does not go with --sysroot (a sysroot is a directory the agent sees itself)');
  return {
    backend,
    softReboot,
    ...(hostMountNamespace !== undefined ? { hostMountNamespace: absolutePath(hostMountNamespace, '--host-mount-ns') } : {}),
    ...(sysroot !== undefined ? { sysroot: absolutePath(sysroot, '--sysroot') } : {}),
    lockGroup: validateGroupName(stringFlag(flags, 'lock-group') ?? 'default', '--lock-group'),
    lockApi,
    ...(fleetLockUrl !== undefined ? { fleetLockUrl } : {}),
    windows: listFlag(flags, 'reboot-window').map((w) => parseWindow(w, '--reboot-window')),
    checkIntervalMs: duration('check-interval', '60s'),
    healthTimeoutMs: duration('health-timeout', '5m'),
    hookTimeoutMs: duration('hook-timeout', '5m'),
    retryDelayMs: duration('retry-delay', '5m'),
    rebootRequiredFile: absolutePath(stringFlag(flags, 'reboot-required-file') ?? '/run/reboot-required', '--reboot-required-file'),
    sandbox,
  };
}
