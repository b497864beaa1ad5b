// `bootc status --format json` (`--json` before bootc 0.1.13): the fields
// hostpilot needs from the BootcHost document (bootc's crates/lib/src/spec.rs),
// validated, mapped to the deployments the rest of hostpilot knows. A bootc
// deployment's identity is its image digest (`sha256:…`): that is what a
// registry publishes and what a digest target names; the ostree commit is kept
// beside it. Unknown fields are ignored so newer bootc releases keep working.
import { deriveStatus, type Deployment, type OsStatus } from './backend.js';
import { OsOutputError } from './errors.js';
import { isBoolean, isCount, isObject, isString } from './json-guards.js';

const COMMAND = 'bootc status --format json';
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const CHECKSUM = /^[0-9a-f]{64}$/;

export interface BootcImageFacts {
  version: string;
  digest: string;
}

export interface BootcStatus extends OsStatus {
  /** The image the host follows (`spec.image`), as `bootc switch` takes it; '' when none. */
  specImage: string;
  /** bootc's `status.rollbackQueued`: the rollback deployment is the next boot. */
  rollbackQueued: boolean;
  /** The booted (or staged) deployment has changes bootc does not understand (rpm-ostree layering). */
  incompatible: boolean;
  /** The newest image `bootc upgrade --check` saw for the booted deployment, if any. */
  cachedUpdate?: BootcImageFacts;
}

type Slot = 'staged' | 'booted' | 'rollback' | 'other';

export function parseBootcStatus(text: string, command = COMMAND): BootcStatus {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new OsOutputError(command, `not JSON (${err instanceof Error ? err.message : String(err)}; ${text.length} bytes)`);
  }
  const fail = (detail: string) => new OsOutputError(command, detail);
  if (!isObject(doc)) throw fail('top level is not an object');
  if (doc['kind'] !== 'BootcHost') throw fail('kind: expected "BootcHost"');
  const status = doc['status'] ?? {};
  if (!isObject(status)) throw fail('status: expected an object');
  const spec = doc['spec'] ?? {};
  if (!isObject(spec)) throw fail('spec: expected an object');

  const entries: Array<{ slot: Slot; entry: Record<string, unknown>; at: string }> = [];
  const one = (slot: Exclude<Slot, 'other'>) => {
    const v = status[slot];
    if (v === null || v === undefined) return;
    if (!isObject(v)) throw fail(`status.${slot}: expected an object or null`);
    entries.push({ slot, entry: v, at: `status.${slot}` });
  };
  const rollbackQueued = optional(status, 'rollbackQueued', isBoolean, 'a boolean', false, 'status', fail) || spec['bootOrder'] === 'rollback';
  // Boot order, the default first: a queued rollback boots next, else a staged deployment does.
  if (rollbackQueued) {
    one('rollback');
    one('staged');
    one('booted');
  } else {
    one('staged');
    one('booted');
    one('rollback');
  }
  const others = status['otherDeployments'] ?? [];
  if (!Array.isArray(others)) throw fail('status.otherDeployments: expected an array');
  others.forEach((v: unknown, i) => {
    if (!isObject(v)) throw fail(`status.otherDeployments[${i}]: expected an object`);
    entries.push({ slot: 'other', entry: v, at: `status.otherDeployments[${i}]` });
  });

  const deployments = entries.map(({ slot, entry, at }, index) => parseEntry(entry, slot, at, index, fail));
  const booted = isObject(status['booted']) ? status['booted'] : undefined;
  const cached = booted && isObject(booted['cachedUpdate']) ? parseImage(booted['cachedUpdate'], 'status.booted.cachedUpdate', fail) : undefined;
  const specImage = isObject(spec['image']) ? referenceOf(spec['image'], 'spec.image', fail) : '';
  return {
    ...deriveStatus(deployments, false),
    specImage,
    rollbackQueued,
    incompatible: deployments.some((d) => (d.booted || d.staged) && d.bootc?.incompatible === true),
    ...(cached ? { cachedUpdate: { version: cached.version, digest: cached.digest } } : {}),
  };
}

function parseEntry(entry: Record<string, unknown>, slot: Slot, at: string, index: number, fail: (d: string) => OsOutputError): Deployment {
  const flag = (name: string) => optional(entry, name, isBoolean, 'a boolean', false, at, fail);
  const ostree = entry['ostree'];
  let ostreeChecksum = '';
  let stateroot = 'default';
  let serial = 0;
  if (ostree !== null && ostree !== undefined) {
    if (!isObject(ostree)) throw fail(`${at}.ostree: expected an object or null`);
    ostreeChecksum = required(ostree, 'checksum', isString, 'a string', `${at}.ostree`, fail);
    if (!CHECKSUM.test(ostreeChecksum)) throw fail(`${at}.ostree.checksum: expected 64 hex digits`);
    stateroot = optional(ostree, 'stateroot', isString, 'a string', 'default', `${at}.ostree`, fail);
    serial = optional(ostree, 'deploySerial', isCount, 'a non-negative integer', 0, `${at}.ostree`, fail);
  }
  const image = entry['image'] === null || entry['image'] === undefined ? undefined : parseImage(entry['image'], `${at}.image`, fail);
  if (!image && !ostreeChecksum) throw fail(`${at}: neither image nor ostree`);
  const checksum = image?.digest ?? ostreeChecksum;
  return {
    id: ostreeChecksum ? `${stateroot}-${ostreeChecksum}.${serial}` : `${stateroot}-${checksum}`,
    osname: stateroot,
    checksum,
    version: image?.version ?? '',
    origin: image?.reference ?? '',
    timestamp: image?.timestamp ?? 0,
    booted: slot === 'booted',
    staged: slot === 'staged',
    pinned: flag('pinned'),
    index,
    bootc: {
      image: image?.reference ?? '',
      ostreeChecksum,
      incompatible: flag('incompatible'),
      softRebootCapable: flag('softRebootCapable'),
      downloadOnly: flag('downloadOnly'),
    },
  };
}

function parseImage(value: unknown, at: string, fail: (d: string) => OsOutputError) {
  if (!isObject(value)) throw fail(`${at}: expected an object or null`);
  const reference = referenceOf(value['image'], `${at}.image`, fail);
  const digest = required(value, 'imageDigest', isString, 'a string', at, fail);
  if (!DIGEST.test(digest)) throw fail(`${at}.imageDigest: expected sha256:<64 hex>`);
  const version = value['version'] === null ? '' : optional(value, 'version', isString, 'a string or null', '', at, fail);
  const ts = value['timestamp'] === null ? '' : optional(value, 'timestamp', isString, 'an RFC 3339 time or null', '', at, fail);
  const ms = ts ? Date.parse(ts) : 0;
  if (Number.isNaN(ms)) throw fail(`${at}.timestamp: ${JSON.stringify(ts)} is not an RFC 3339 time`);
  return { reference, digest, version, timestamp: Math.floor(ms / 1000) };
}

// `registry` images are written bare, as `bootc switch` takes them; other transports keep their prefix.
function referenceOf(value: unknown, at: string, fail: (d: string) => OsOutputError): string {
  if (!isObject(value)) throw fail(`${at}: expected an object`);
  const image = required(value, 'image', isString, 'a string', at, fail);
  const transport = optional(value, 'transport', isString, 'a string', 'registry', at, fail);
  return transport === 'registry' ? image : `${transport}:${image}`;
}

function required<T>(obj: Record<string, unknown>, name: string, check: (v: unknown) => v is T, what: string, at: string, fail: (d: string) => OsOutputError): T {
  const v = obj[name];
  if (!check(v)) throw fail(`${at}.${name}: expected ${what}`);
  return v;
}

function optional<T>(obj: Record<string, unknown>, name: string, check: (v: unknown) => v is T, what: string, fallback: T, at: string, fail: (d: string) => OsOutputError): T {
  const v = obj[name];
  if (v === undefined) return fallback;
  if (!check(v)) throw fail(`${at}.${name}: expected ${what}`);
  return v;
}
