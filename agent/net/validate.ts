// Names and addresses are checked here before they reach any command
// (docs/architecture.md, rule 6). Every failure names the field.
import { createHash } from 'node:crypto';
import { InvalidArgumentError } from '../../common/errors.js';

export interface Ipv4 {
  text: string;
  value: number;
}

export interface Ipv4Cidr {
  ip: Ipv4;
  prefix: number;
  /** "10.10.0.5/22" */
  text: string;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function parseIpv4(value: unknown, field: string): Ipv4 {
  if (typeof value !== 'string' || value === '') throw new InvalidArgumentError(field, 'must be an IPv4 address');
  const m = IPV4.exec(value);
  if (!m) throw new InvalidArgumentError(field, `${JSON.stringify(value.slice(0, 60))} is not an IPv4 address`);
  let n = 0;
  for (const part of m.slice(1)) {
    // No leading zeros: "010" is octal to some tools and decimal to others.
    if (part.length > 1 && part.startsWith('0')) throw new InvalidArgumentError(field, `${JSON.stringify(value)} has a leading zero`);
    const octet = Number(part);
    if (octet > 255) throw new InvalidArgumentError(field, `${JSON.stringify(value)} is not an IPv4 address`);
    n = n * 256 + octet;
  }
  return { text: value, value: n };
}

export function parseIpv4Cidr(value: unknown, field: string): Ipv4Cidr {
  if (typeof value !== 'string') throw new InvalidArgumentError(field, 'must be an IPv4 address with a prefix length, e.g. 10.10.0.5/22');
  const slash = value.indexOf('/');
  if (slash < 0) throw new InvalidArgumentError(field, `${JSON.stringify(value.slice(0, 60))} has no prefix length`);
  const ip = parseIpv4(value.slice(0, slash), field);
  const prefixText = value.slice(slash + 1);
  if (!/^\d{1,2}$/.test(prefixText) || Number(prefixText) > 32) throw new InvalidArgumentError(field, `${JSON.stringify(value.slice(0, 60))}: prefix length must be 0-32`);
  const prefix = Number(prefixText);
  return { ip, prefix, text: `${ip.text}/${prefix}` };
}

export function ipv4FromNumber(n: number): string {
  return [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join('.');
}

export function inSubnet(ip: Ipv4, cidr: Ipv4Cidr): boolean {
  if (cidr.prefix === 0) return true;
  const mask = (0xffffffff << (32 - cidr.prefix)) >>> 0;
  return ((ip.value & mask) >>> 0) === ((cidr.ip.value & mask) >>> 0);
}

// Linux: IFNAMSIZ is 16 with the NUL, so 15 characters; no '/', ':' or whitespace; not "." or "..".
const IFNAME = /^[A-Za-z0-9_.@-]{1,15}$/;

export function validateIfName(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') throw new InvalidArgumentError(field, 'must be an interface name');
  if (value.length > 15) throw new InvalidArgumentError(field, `${JSON.stringify(value.slice(0, 60))} is longer than 15 characters`);
  if (!IFNAME.test(value) || value === '.' || value === '..') {
    throw new InvalidArgumentError(field, `${JSON.stringify(value)} is not an interface name (letters, digits, '_', '.', '@', '-')`);
  }
  return value;
}

// The prefix leaves room for a hash long enough that two pods on one node do not collide.
export const MAX_VETH_PREFIX = 4;
const VETH_PREFIX = /^[a-z][a-z0-9]{0,3}$/;

export function validateVethPrefix(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') throw new InvalidArgumentError(field, 'must be 1-4 lower-case letters or digits, starting with a letter');
  if (value.length > MAX_VETH_PREFIX) {
    throw new InvalidArgumentError(field, `${JSON.stringify(value.slice(0, 60))} is longer than ${MAX_VETH_PREFIX} characters (the host veth name is the prefix and a hash, 15 characters at most)`);
  }
  if (!VETH_PREFIX.test(value)) throw new InvalidArgumentError(field, `${JSON.stringify(value)} must be lower-case letters or digits, starting with a letter`);
  return value;
}

/** The host-side veth name: the prefix and a hash of container id and interface, 15 characters. */
export function hostVethName(prefix: string, containerId: string, ifName: string): string {
  const hash = createHash('sha256').update(`${containerId}/${ifName}`).digest('hex');
  return prefix + hash.slice(0, 15 - prefix.length);
}

/** Matches the host veths `hostVethName` makes with this prefix, and nothing else. */
export function isHostVethName(name: string, prefix: string): boolean {
  return name.length === 15 && name.startsWith(prefix) && /^[0-9a-f]+$/.test(name.slice(prefix.length));
}

// CNI spec: "Must start with an alphanumeric character, optionally followed by
// any combination of one or more alphanumeric characters, underscore, dot or hyphen."
const CONTAINER_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,255}$/;
export function validateContainerId(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') throw new InvalidArgumentError(field, 'must not be empty');
  if (!CONTAINER_ID.test(value)) throw new InvalidArgumentError(field, `${JSON.stringify(value.slice(0, 60))} is not a container id (alphanumerics, '_', '.', '-', at most 256)`);
  return value;
}

// CNI spec network name grammar.
const NETWORK_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;
export function validateNetworkName(value: unknown, field: string): string {
  if (typeof value !== 'string' || !NETWORK_NAME.test(value)) throw new InvalidArgumentError(field, `${JSON.stringify(String(value).slice(0, 60))} is not a network name (^[a-zA-Z0-9][a-zA-Z0-9_.-]*$)`);
  return value;
}

/** A plugin binary name: a file name in CNI_PATH, never a path. */
const PLUGIN_TYPE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export function validatePluginType(value: unknown, field: string): string {
  if (typeof value !== 'string' || !PLUGIN_TYPE.test(value)) throw new InvalidArgumentError(field, `${JSON.stringify(String(value).slice(0, 60))} is not a plugin name (a file name in CNI_PATH)`);
  return value;
}

// Paths end up inside `ip -batch` lines, which split on whitespace: a plain
// character set (no spaces, quotes or control characters) keeps them one token.
const SAFE_PATH = /^\/[A-Za-z0-9._@:+,=\/-]*$/;

/** An absolute path of plain characters, without "..". */
export function validateAbsolutePath(value: unknown, field: string): string {
  if (typeof value !== 'string' || !value.startsWith('/')) throw new InvalidArgumentError(field, 'must be an absolute path');
  if (value.length > 4096 || !SAFE_PATH.test(value) || value.split('/').includes('..')) {
    throw new InvalidArgumentError(field, `${JSON.stringify(value.slice(0, 80))} is not an acceptable path (letters, digits and ._@:+,=/- only, no "..")`);
  }
  return value;
}

/** sysctl's key for a per-interface knob; dots in an interface name become '/'. */
export function ipv4ConfKey(ifName: string, knob: string): string {
  return `net.ipv4.conf.${ifName.replaceAll('.', '/')}.${knob}`;
}
