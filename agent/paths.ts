// Every path the agent reads or writes, derived from --state-dir and
// --config-dir (and the image's /usr/lib/hostpilot). The daemon and each
// hostpilot-agent subcommand take the same two flags with the same defaults,
// so a command run by hand reads what the running agent wrote.
import { join } from 'node:path';
import { stringFlag, type ParsedFlags } from '../common/cli.js';
import { InvalidArgumentError } from '../common/errors.js';

/** The agent's own state; the coordinator owns /var/lib/hostpilot. Same as the shipped unit and the DaemonSet. */
export const DEFAULT_STATE_DIR = '/var/lib/hostpilot-agent';
export const DEFAULT_CONFIG_DIR = '/etc/hostpilot';
/** What the OS image ships (monitors, health checks): the lowest layer. */
export const IMAGE_DIR = '/usr/lib/hostpilot';
/** Runtime configuration, cleared at boot: between the image and /etc. */
export const RUNTIME_DIR = '/run/hostpilot';

export interface AgentPaths {
  stateDir: string;
  configDir: string;
  /** The reboot flow's state (agent/reboot/flow-store.ts). */
  flowState: string;
  /** The problem detector's conditions (agent/problems/conditions.ts). */
  conditions: string;
  /** The node config applied, and kernel arguments awaiting a reboot (agent/node-config/state.ts). */
  nodeConfig: string;
  /** The remediation orders carried out and their results (agent/remediation/store.ts). */
  remediation: string;
  /** hostpilot-cni's records, unless --cni-state-dir says otherwise. */
  cniStateDir: string;
  /** Declared and watched units. */
  agentConfig: string;
  /** The thin pool (docs/storage.md). */
  storageConfig: string;
  labels: string;
  /** Monitor directories, lowest layer first: a later file of the same name wins. */
  monitorDirs: string[];
  blockersDir: string;
  preRebootDir: string;
  postRebootDir: string;
  /** health.d of the config dir and of the image; `root` is the image's root (a sandbox deployment's checkout). */
  healthDirs(root?: string): string[];
}

export function agentPaths(stateDir: string = DEFAULT_STATE_DIR, configDir: string = DEFAULT_CONFIG_DIR): AgentPaths {
  return {
    stateDir,
    configDir,
    flowState: join(stateDir, 'reboot-flow.json'),
    conditions: join(stateDir, 'conditions.json'),
    nodeConfig: join(stateDir, 'node-config.json'),
    remediation: join(stateDir, 'remediation.json'),
    cniStateDir: join(stateDir, 'cni'),
    agentConfig: join(configDir, 'agent.json'),
    storageConfig: join(configDir, 'storage.json'),
    labels: join(configDir, 'labels'),
    monitorDirs: [join(IMAGE_DIR, 'monitors.d'), join(RUNTIME_DIR, 'monitors.d'), join(configDir, 'monitors.d')],
    blockersDir: join(configDir, 'blockers.d'),
    preRebootDir: join(configDir, 'pre-reboot.d'),
    postRebootDir: join(configDir, 'post-reboot.d'),
    healthDirs: (root = '/') => [join(configDir, 'health.d'), join(root, IMAGE_DIR, 'health.d')],
  };
}

/** The flags every subcommand that reads the agent's files accepts. */
export const PATH_OPTIONS = {
  'state-dir': { type: 'string' },
  'config-dir': { type: 'string' },
} as const;

export const PATH_USAGE = `  --state-dir DIR           where the agent keeps its state [${DEFAULT_STATE_DIR}]
  --config-dir DIR          the agent's configuration [${DEFAULT_CONFIG_DIR}]`;

export function absolutePath(path: string, field: string): string {
  if (!path.startsWith('/') || path.includes('\0')) throw new InvalidArgumentError(field, `must be an absolute path, not ${JSON.stringify(path)}`);
  return path.replace(/\/+$/, '') || '/';
}

export function pathsFromFlags(flags: ParsedFlags): AgentPaths {
  return agentPaths(absolutePath(stringFlag(flags, 'state-dir') ?? DEFAULT_STATE_DIR, '--state-dir'), absolutePath(stringFlag(flags, 'config-dir') ?? DEFAULT_CONFIG_DIR, '--config-dir'));
}
