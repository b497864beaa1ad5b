// `rpm-ostree status --json`: the few fields hostpilot needs, validated.
// Everything else in the output (packages, signatures, commit metadata) is
// ignored, so new rpm-ostree releases that add fields keep working; a missing
// or mistyped field we rely on is an error naming it.
import { deriveStatus, type Deployment, type OsStatus } from './backend.js';
import { OsOutputError } from './errors.js';
import { isBoolean, isCount, isObject, isString } from './json-guards.js';

const COMMAND = 'rpm-ostree status --json';
const CHECKSUM = /^[0-9a-f]{64}$/;

export interface RpmOstreeStatus extends OsStatus {
  /** The active transaction as rpm-ostree reports it (method, client, object path); null when idle. */
  transaction: string[] | null;
}

export function parseRpmOstreeStatus(text: string): RpmOstreeStatus {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new OsOutputError(COMMAND, `not JSON (${err instanceof Error ? err.message : String(err)}; ${text.length} bytes)`);
  }
  if (!isObject(doc)) throw new OsOutputError(COMMAND, 'top level is not an object');
  const list = doc['deployments'];
  if (!Array.isArray(list)) throw new OsOutputError(COMMAND, 'deployments: expected an array');
  const deployments = list.map((d, index) => parseDeployment(d, index));
  const transaction = parseTransaction(doc['transaction']);
  return { ...deriveStatus(deployments, transaction !== null), transaction };
}

function parseTransaction(value: unknown): string[] | null {
  if (value === null || value === undefined) return null;
  // D-Bus "(sss)": method, the client that started it, the transaction's object path.
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  throw new OsOutputError(COMMAND, 'transaction: expected null or an array of strings');
}

function parseDeployment(value: unknown, index: number): Deployment {
  const at = `deployments[${index}]`;
  if (!isObject(value)) throw new OsOutputError(COMMAND, `${at}: expected an object`);
  const field = <T>(name: string, check: (v: unknown) => v is T, what: string, fallback?: T): T => {
    const v = value[name];
    if (v === undefined && fallback !== undefined) return fallback;
    if (!check(v)) throw new OsOutputError(COMMAND, `${at}.${name}: expected ${what}`);
    return v;
  };
  const checksum = field('checksum', isString, 'a string');
  if (!CHECKSUM.test(checksum)) throw new OsOutputError(COMMAND, `${at}.checksum: expected 64 hex digits`);
  const baseChecksum = field('base-checksum', isString, 'a string', '');
  if (baseChecksum && !CHECKSUM.test(baseChecksum)) throw new OsOutputError(COMMAND, `${at}.base-checksum: expected 64 hex digits`);
  // Container-image deployments carry an image reference instead of an ostree refspec.
  const image = field('container-image-reference', isString, 'a string', '');
  const refspec = field('origin', isString, 'a string', '');
  const timestamp = field('timestamp', isCount, 'a non-negative integer', 0);
  const deployment: Deployment = {
    id: field('id', isString, 'a string'),
    osname: field('osname', isString, 'a string'),
    checksum,
    version: field('version', isString, 'a string', ''),
    origin: image || refspec,
    timestamp,
    booted: field('booted', isBoolean, 'a boolean'),
    staged: field('staged', isBoolean, 'a boolean', false),
    pinned: field('pinned', isBoolean, 'a boolean', false),
    index,
  };
  if (baseChecksum && baseChecksum !== checksum) deployment.baseChecksum = baseChecksum;
  return deployment;
}
