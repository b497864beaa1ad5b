// The network configuration (stdin) and the CNI_* environment, parsed and
// validated once. Unknown keys are ignored, as runtimes add their own
// (runtimeConfig, args, capabilities ...).
import { InvalidArgumentError } from '../../common/errors.js';
import { agentPaths } from '../paths.js';
import { CniCode, CniError } from './cni-error.js';
import {
  parseIpv4,
  validateAbsolutePath,
  validateContainerId,
  validateIfName,
  validateNetworkName,
  validatePluginType,
  validateVethPrefix,
  type Ipv4,
} from './validate.js';
import { parseMode, type PodNetworkMode } from './routing-config.js';

export const SUPPORTED_VERSIONS = ['0.3.1', '0.4.0', '1.0.0'] as const;
/** The agent's default state dir's cni/ (agent/paths.ts): the reconciler finds the records there. */
export const DEFAULT_STATE_DIR = agentPaths().cniStateDir;
export const DEFAULT_VETH_PREFIX = 'hp';
export const DEFAULT_MTU = 1500;
/**
 * Routed mode: the pods' default gateway, an address every host veth holds
 * (as Calico's 169.254.1.1): the host answers the pod's ARP for it as its own
 * address, so no proxy ARP is needed anywhere.
 */
export const ROUTED_GATEWAY = '169.254.1.1';

export interface NetConf {
  cniVersion: string;
  name: string;
  type: string;
  /** "proxy-arp" (default): pods in the ToR's subnet; "routed": pods get /32s in the node's routed pod block. */
  mode: PodNetworkMode;
  /** proxy-arp: the TOR address, reached on-link through proxy ARP. routed: ROUTED_GATEWAY on the host veth. */
  gateway: Ipv4;
  /** proxy-arp: the host interface towards the TOR, where the host answers ARP for pods. Empty in routed mode. */
  uplink: string;
  mtu: number;
  hostVethPrefix: string;
  /** Where ADD records each pod for DEL, CHECK and the agent's reconciler. */
  stateDir: string;
  ipamType: string;
  /** The whole config as received: passed unchanged to the IPAM plugin. */
  raw: Record<string, unknown>;
  prevResult?: unknown;
}

export type CniCommand = 'ADD' | 'DEL' | 'CHECK' | 'VERSION';

export interface CniEnv {
  command: CniCommand;
  containerId: string;
  /** Empty only for DEL, where the spec lets the runtime omit it. */
  netns: string;
  ifName: string;
  args: string;
  path: string[];
}

function asConfigError(err: unknown): never {
  if (err instanceof InvalidArgumentError) throw new CniError(CniCode.invalidConfig, `invalid network config: ${err.message}`);
  throw err;
}

export function decodeNetConf(stdin: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdin);
  } catch (err) {
    throw new CniError(CniCode.decodeFailure, 'network config on stdin is not JSON', (err as Error).message);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new CniError(CniCode.decodeFailure, 'network config on stdin is not a JSON object');
  return parsed as Record<string, unknown>;
}

/** What DEL needs: enough to find the pod's veth, record and IPAM plugin. */
export type DelConf = Pick<NetConf, 'cniVersion' | 'name' | 'hostVethPrefix' | 'stateDir' | 'ipamType' | 'raw'>;

function parseVersion(raw: Record<string, unknown>): string {
  const version = raw.cniVersion;
  if (typeof version !== 'string' || !(SUPPORTED_VERSIONS as readonly string[]).includes(version)) {
    throw new CniError(CniCode.incompatibleVersion, `cniVersion ${JSON.stringify(version)} is not supported`, `supported: ${SUPPORTED_VERSIONS.join(', ')}`);
  }
  return version;
}

function parseIpamType(raw: Record<string, unknown>): string {
  const ipam = raw.ipam;
  if (typeof ipam !== 'object' || ipam === null || Array.isArray(ipam)) throw new InvalidArgumentError('ipam', 'must be an object naming an IPAM plugin, e.g. {"type":"host-local", ...}');
  return validatePluginType((ipam as Record<string, unknown>).type, 'ipam.type');
}

/**
 * DEL must be able to tear a pod down even after an operator broke an
 * unrelated key (a bad gateway would otherwise leave every pod undeletable),
 * so it validates only the keys it uses.
 */
export function parseDelConf(raw: Record<string, unknown>): DelConf {
  const cniVersion = parseVersion(raw);
  try {
    return {
      cniVersion,
      name: validateNetworkName(raw.name, 'name'),
      hostVethPrefix: validateVethPrefix(raw.hostVethPrefix ?? DEFAULT_VETH_PREFIX, 'hostVethPrefix'),
      stateDir: validateAbsolutePath(raw.stateDir ?? DEFAULT_STATE_DIR, 'stateDir'),
      ipamType: parseIpamType(raw),
      raw,
    };
  } catch (err) {
    return asConfigError(err);
  }
}

export function parseNetConf(raw: Record<string, unknown>): NetConf {
  const version = parseVersion(raw);
  try {
    const ipamType = parseIpamType(raw);
    const mode = parseMode(raw.mode, 'mode');
    const routed = mode === 'routed';
    if (raw.gateway === undefined && !routed) throw new InvalidArgumentError('gateway', 'is required (the top-of-rack address pods use as default gateway)');
    if (raw.uplink === undefined && !routed) throw new InvalidArgumentError('uplink', 'is required (the host interface towards the top-of-rack switch)');
    const mtu = raw.mtu ?? DEFAULT_MTU;
    if (typeof mtu !== 'number' || !Number.isInteger(mtu) || mtu < 576 || mtu > 65535) throw new InvalidArgumentError('mtu', `${JSON.stringify(mtu)} must be an integer from 576 to 65535`);
    return {
      cniVersion: version,
      name: validateNetworkName(raw.name, 'name'),
      type: validatePluginType(raw.type, 'type'),
      mode,
      gateway: parseIpv4(raw.gateway ?? ROUTED_GATEWAY, 'gateway'),
      uplink: raw.uplink === undefined ? '' : validateIfName(raw.uplink, 'uplink'),
      mtu,
      hostVethPrefix: validateVethPrefix(raw.hostVethPrefix ?? DEFAULT_VETH_PREFIX, 'hostVethPrefix'),
      stateDir: validateAbsolutePath(raw.stateDir ?? DEFAULT_STATE_DIR, 'stateDir'),
      ipamType,
      raw,
      ...(raw.prevResult !== undefined ? { prevResult: raw.prevResult } : {}),
    };
  } catch (err) {
    return asConfigError(err);
  }
}

const COMMANDS: readonly CniCommand[] = ['ADD', 'DEL', 'CHECK', 'VERSION'];

export function parseCommand(env: Record<string, string | undefined>): CniCommand {
  const command = env.CNI_COMMAND;
  if (!command) throw new CniError(CniCode.invalidEnvironment, 'CNI_COMMAND is not set');
  if (!(COMMANDS as readonly string[]).includes(command)) throw new CniError(CniCode.invalidEnvironment, `CNI_COMMAND ${JSON.stringify(command.slice(0, 40))} is not one of ${COMMANDS.join(', ')}`);
  return command as CniCommand;
}

export function parseCniEnv(env: Record<string, string | undefined>): CniEnv {
  const command = parseCommand(env);
  try {
    const netns = env.CNI_NETNS ?? '';
    if (command !== 'DEL' && netns === '') throw new InvalidArgumentError('CNI_NETNS', `is required for ${command}`);
    const path = (env.CNI_PATH ?? '').split(':').filter((p) => p !== '');
    if (command !== 'DEL' && path.length === 0) throw new InvalidArgumentError('CNI_PATH', `is required for ${command}`);
    path.forEach((p, i) => validateAbsolutePath(p, `CNI_PATH[${i}]`));
    return {
      command,
      containerId: validateContainerId(env.CNI_CONTAINERID, 'CNI_CONTAINERID'),
      netns: netns === '' ? '' : validateAbsolutePath(netns, 'CNI_NETNS'),
      ifName: validateIfName(env.CNI_IFNAME, 'CNI_IFNAME'),
      args: env.CNI_ARGS ?? '',
      path,
    };
  } catch (err) {
    if (err instanceof InvalidArgumentError) throw new CniError(CniCode.invalidEnvironment, `invalid environment: ${err.message}`);
    throw err;
  }
}
