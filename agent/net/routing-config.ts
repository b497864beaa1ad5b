// The agent's pod-network settings (the "podNetwork" section of agent.json):
// "proxy-arp" (the default: a big L2 subnet to the ToR, the host answers ARP
// for its pods) or "routed" (the node owns a pod block and announces it to
// its routers with BIRD 2, over BGP per peer or OSPF in an area). Validated
// once; every error names the field.
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, errorMessage } from '../../common/errors.js';
import { parseIpv4, parseIpv4Cidr, validateAbsolutePath, validateIfName, type Ipv4, type Ipv4Cidr } from './validate.js';

export const POD_NETWORK_MODES = ['proxy-arp', 'routed'] as const;
export type PodNetworkMode = (typeof POD_NETWORK_MODES)[number];

export const DEFAULT_BIRD_DIR = '/run/hostpilot/bird';
export const DEFAULT_CNI_SOCKET = '/run/hostpilot/cni.sock';

export interface BgpPeer {
  /** Label of the session (metric label `peer`); the BIRD protocol is `peer_<name>`. */
  name: string;
  address: Ipv4;
  asn: number;
  /** A file holding the TCP-MD5 password; read when the config is rendered. */
  passwordFile?: string;
  holdTimeSeconds: number;
}

export interface OspfArea {
  /** Area id as a number (0 = backbone). */
  area: number;
  interfaces: string[];
  helloSeconds: number;
  deadSeconds: number;
}

export interface RoutedSettings {
  mode: 'routed';
  /** The node's pod block: announced as one prefix; pods get /32s out of it. */
  podBlock: Ipv4Cidr;
  routerId: Ipv4;
  localAsn?: number;
  bgp: BgpPeer[];
  ospf?: OspfArea;
  /** Also announce each pod's /32 (learnt from the kernel table). */
  exportPodRoutes: boolean;
  gracefulRestart: boolean;
  /** bird.conf, the control socket and the pid file. */
  birdDir: string;
}

export type PodNetworkSettings = { mode: 'proxy-arp' } | RoutedSettings;

type Raw = Record<string, unknown>;

function object(value: unknown, field: string): Raw {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidArgumentError(field, 'must be an object');
  return value as Raw;
}

function integer(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw new InvalidArgumentError(field, `${JSON.stringify(value)} must be an integer from ${min} to ${max}`);
  return value;
}

/** 4-byte ASNs; 0, 23456 (AS_TRANS) and 4294967295 are reserved (RFC 7607, 6793, 7300). */
export function parseAsn(value: unknown, field: string): number {
  const asn = integer(value, field, 1, 4294967294);
  if (asn === 23456) throw new InvalidArgumentError(field, '23456 is AS_TRANS (RFC 6793), not a usable ASN');
  return asn;
}

/** An OSPF area id: a number or a dotted quad ("0.0.0.0"). */
export function parseArea(value: unknown, field: string): number {
  if (typeof value === 'string') return parseIpv4(value, field).value;
  return integer(value, field, 0, 4294967295);
}

// BIRD symbols; a fixed prefix in the rendered name keeps them clear of BIRD's keywords.
const PEER_NAME = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;

function parsePeer(value: unknown, field: string): BgpPeer {
  const raw = object(value, field);
  if (typeof raw.name !== 'string' || !PEER_NAME.test(raw.name)) throw new InvalidArgumentError(`${field}.name`, `${JSON.stringify(raw.name)} must be a letter then up to 31 letters, digits or '_'`);
  return {
    name: raw.name,
    address: parseIpv4(raw.address, `${field}.address`),
    asn: parseAsn(raw.asn, `${field}.asn`),
    ...(raw.passwordFile !== undefined ? { passwordFile: validateAbsolutePath(raw.passwordFile, `${field}.passwordFile`) } : {}),
    // RFC 4271: 0 or at least 3 seconds; BIRD allows up to 65535.
    holdTimeSeconds: integer(raw.holdTimeSeconds ?? 90, `${field}.holdTimeSeconds`, 3, 65535),
  };
}

function parseOspf(value: unknown, field: string): OspfArea {
  const raw = object(value, field);
  if (!Array.isArray(raw.interfaces) || raw.interfaces.length === 0) throw new InvalidArgumentError(`${field}.interfaces`, 'must list at least one interface');
  const helloSeconds = integer(raw.helloSeconds ?? 10, `${field}.helloSeconds`, 1, 65535);
  const deadSeconds = integer(raw.deadSeconds ?? helloSeconds * 4, `${field}.deadSeconds`, 1, 65535);
  if (deadSeconds <= helloSeconds) throw new InvalidArgumentError(`${field}.deadSeconds`, `${deadSeconds} must be longer than helloSeconds (${helloSeconds})`);
  return {
    area: parseArea(raw.area ?? 0, `${field}.area`),
    interfaces: raw.interfaces.map((name, i) => validateIfName(name, `${field}.interfaces[${i}]`)),
    helloSeconds,
    deadSeconds,
  };
}

function parseBool(value: unknown, fallback: boolean, field: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new InvalidArgumentError(field, 'must be true or false');
  return value;
}

export function parseMode(value: unknown, field: string): PodNetworkMode {
  if (value === undefined) return 'proxy-arp';
  if (typeof value !== 'string' || !(POD_NETWORK_MODES as readonly string[]).includes(value)) throw new InvalidArgumentError(field, `${JSON.stringify(value)} must be one of ${POD_NETWORK_MODES.join(', ')}`);
  return value as PodNetworkMode;
}

/** A prefix whose host bits are zero ("10.244.1.0/26", not "10.244.1.5/26"). */
export function parseBlock(value: unknown, field: string): Ipv4Cidr {
  const cidr = parseIpv4Cidr(value, field);
  const hostBits = cidr.prefix === 32 ? 0 : (cidr.ip.value & (0xffffffff >>> cidr.prefix)) >>> 0;
  if (cidr.prefix < 8 || hostBits !== 0) throw new InvalidArgumentError(field, `${JSON.stringify(value)} must be a network prefix of /8 to /32 with its host bits zero`);
  return cidr;
}

export function parsePodNetworkSettings(value: unknown, field = 'podNetwork'): PodNetworkSettings {
  if (value === undefined) return { mode: 'proxy-arp' };
  const raw = object(value, field);
  const mode = parseMode(raw.mode, `${field}.mode`);
  if (mode === 'proxy-arp') return { mode };
  const bgp = raw.bgp === undefined ? [] : Array.isArray(raw.bgp) ? raw.bgp.map((p, i) => parsePeer(p, `${field}.bgp[${i}]`)) : [];
  if (raw.bgp !== undefined && !Array.isArray(raw.bgp)) throw new InvalidArgumentError(`${field}.bgp`, 'must be a list of peers');
  const names = new Set<string>();
  bgp.forEach((p, i) => {
    if (names.has(p.name)) throw new InvalidArgumentError(`${field}.bgp[${i}].name`, `${JSON.stringify(p.name)} is used twice`);
    names.add(p.name);
  });
  const ospf = raw.ospf === undefined ? undefined : parseOspf(raw.ospf, `${field}.ospf`);
  if (bgp.length === 0 && !ospf) throw new InvalidArgumentError(field, 'routed mode needs "bgp" peers or an "ospf" area to announce the pod block to');
  if (bgp.length > 0 && raw.localAsn === undefined) throw new InvalidArgumentError(`${field}.localAsn`, 'is required with bgp peers');
  return {
    mode,
    podBlock: parseBlock(raw.podBlock, `${field}.podBlock`),
    routerId: parseIpv4(raw.routerId, `${field}.routerId`),
    ...(raw.localAsn !== undefined ? { localAsn: parseAsn(raw.localAsn, `${field}.localAsn`) } : {}),
    bgp,
    ...(ospf ? { ospf } : {}),
    exportPodRoutes: parseBool(raw.exportPodRoutes, false, `${field}.exportPodRoutes`),
    gracefulRestart: parseBool(raw.gracefulRestart, true, `${field}.gracefulRestart`),
    birdDir: validateAbsolutePath(raw.birdDir ?? DEFAULT_BIRD_DIR, `${field}.birdDir`),
  };
}

export interface AgentPodNetwork {
  settings: PodNetworkSettings;
  /** Where the agent serves the thin CNI client (the conflist's "agentSocket" must match). */
  cniSocket: string;
}

/** The "podNetwork" section of the agent's config file; proxy-arp and the default socket when the file or the section is absent. */
export async function loadPodNetworkSettings(file: string): Promise<AgentPodNetwork> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { settings: { mode: 'proxy-arp' }, cniSocket: DEFAULT_CNI_SOCKET };
    throw new InvalidArgumentError(file, `cannot read: ${errorMessage(err)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new InvalidArgumentError(file, `is not JSON: ${errorMessage(err)}`);
  }
  if (typeof parsed !== 'object' || parsed === null) throw new InvalidArgumentError(file, 'must hold a JSON object');
  const section = (parsed as Record<string, unknown>).podNetwork;
  const cniSocket = typeof section === 'object' && section !== null ? (section as Raw).cniSocket : undefined;
  return {
    settings: parsePodNetworkSettings(section, 'podNetwork'),
    // A Unix socket path: 107 bytes at most.
    cniSocket: cniSocket === undefined ? DEFAULT_CNI_SOCKET : validateSocketPath(cniSocket, 'podNetwork.cniSocket'),
  };
}

function validateSocketPath(value: unknown, field: string): string {
  const path = validateAbsolutePath(value, field);
  if (path.length > 107) throw new InvalidArgumentError(field, 'is longer than a Unix socket path may be (107 bytes)');
  return path;
}
