// `hostpilot-agent run` options, parsed and validated once. Errors name the flag.
import { parseHostPort, type HostPort } from '../common/address.js';
import { boolFlag, listFlag, parseFlags, stringFlag, UsageError } from '../common/cli.js';
import { InvalidArgumentError } from '../common/errors.js';
import { parseLogLevel, type LogLevel } from '../common/log.js';
import type { TlsFiles } from '../common/tls.js';
import { parseLabelPairs, readLabelsFile } from './labels.js';
import { resolveNodeId } from './identity.js';

export interface AgentConfig {
  coordinator: string;
  metricsListen: HostPort;
  nodeId: string;
  labels: Record<string, string>;
  tls: TlsFiles;
  stateDir: string;
  logLevel: LogLevel;
}

export const RUN_USAGE = `Usage: hostpilot-agent run [options]

Runs the node agent: registers with the coordinator, reports, serves metrics.

Options:
  --coordinator HOST:PORT   the coordinator's gRPC address [127.0.0.1:7070]
  --metrics-listen ADDR:PORT  /metrics and /healthz [127.0.0.1:9102]
  --node-id ID              this node's id [/etc/machine-id, else the hostname]
  --label KEY=VALUE         a node label (pool, rack, zone, ...); repeatable
  --labels-file FILE        KEY=VALUE lines [/etc/hostpilot/labels]
  --tls-cert FILE           client certificate (its CN/SAN is the node identity)
  --tls-key FILE            client key
  --tls-ca FILE             CA that signed the coordinator's certificate
  --state-dir DIR           where the agent keeps its state [/var/lib/hostpilot]
  --log-level LEVEL         debug|info|warn|error [info]
  -h, --help                this help
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
  'state-dir': { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseAgentArgs(argv: string[]): AgentConfig | undefined {
  const flags = parseFlags(argv, RUN_OPTIONS);
  if (boolFlag(flags, 'help')) return undefined;
  try {
    const coordinator = stringFlag(flags, 'coordinator') ?? '127.0.0.1:7070';
    parseHostPort(coordinator, '--coordinator');
    const labels = {
      ...readLabelsFile(stringFlag(flags, 'labels-file') ?? '/etc/hostpilot/labels'),
      ...parseLabelPairs(listFlag(flags, 'label'), '--label'),
    };
    const stateDir = stringFlag(flags, 'state-dir') ?? '/var/lib/hostpilot';
    if (!stateDir.startsWith('/')) throw new InvalidArgumentError('--state-dir', `${JSON.stringify(stateDir)} must be an absolute path`);
    return {
      coordinator,
      metricsListen: parseHostPort(stringFlag(flags, 'metrics-listen') ?? '127.0.0.1:9102', '--metrics-listen'),
      nodeId: resolveNodeId(stringFlag(flags, 'node-id')),
      labels,
      tls: { cert: stringFlag(flags, 'tls-cert'), key: stringFlag(flags, 'tls-key'), ca: stringFlag(flags, 'tls-ca') },
      stateDir,
      logLevel: parseLogLevel(stringFlag(flags, 'log-level') ?? 'info'),
    };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
