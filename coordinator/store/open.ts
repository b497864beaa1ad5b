// `--store sqlite:PATH` (the embedded default) or `--store etcd:URL[,URL...]`
// (highly available; `--etcd-prefix`, `--etcd-ca`, `--etcd-cert`, `--etcd-key`).
import { mkdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { InvalidArgumentError, UnavailableError, errorMessage } from '../../common/errors.js';
import { DEFAULT_ETCD_PREFIX, EtcdStore, type EtcdTlsFiles } from './etcd.js';
import { SqliteStore } from './sqlite.js';
import type { Store } from './store.js';

export const DEFAULT_STORE = 'sqlite:/var/lib/hostpilot/coordinator.db';

/** Paths of PEM files for etcd client TLS. */
export interface EtcdTlsSpec {
  ca?: string;
  cert?: string;
  key?: string;
}

export type StoreSpec =
  | { kind: 'sqlite'; path: string }
  | { kind: 'etcd'; endpoints: string[]; prefix: string; tls?: EtcdTlsSpec };

export interface EtcdFlags {
  prefix?: string;
  ca?: string;
  cert?: string;
  key?: string;
}

const PREFIX = /^\/([A-Za-z0-9._-]+\/)*$/;

export function parseStoreSpec(text: string, etcdOptions: EtcdFlags = {}): StoreSpec {
  const colon = text.indexOf(':');
  const scheme = colon < 0 ? '' : text.slice(0, colon);
  const rest = text.slice(colon + 1);
  if (scheme === 'sqlite') {
    if (!rest) throw new InvalidArgumentError('--store', 'sqlite: needs a file path, e.g. sqlite:/var/lib/hostpilot/coordinator.db');
    return { kind: 'sqlite', path: rest };
  }
  if (scheme === 'etcd') return parseEtcd(rest, etcdOptions);
  throw new InvalidArgumentError('--store', `${JSON.stringify(text)}: expected sqlite:PATH or etcd:http://HOST:PORT[,...]`);
}

function parseEtcd(rest: string, flags: EtcdFlags): StoreSpec {
  if (!rest) throw new InvalidArgumentError('--store', 'etcd: needs endpoints, e.g. etcd:http://127.0.0.1:2379');
  const endpoints = rest.split(',').map((item) => parseEndpoint(item.trim()));
  const schemes = new Set(endpoints.map((e) => e.slice(0, e.indexOf(':'))));
  if (schemes.size > 1) throw new InvalidArgumentError('--store', 'etcd endpoints mix http:// and https://');
  if (new Set(endpoints).size !== endpoints.length) throw new InvalidArgumentError('--store', 'etcd endpoints repeat');

  const prefix = flags.prefix ?? DEFAULT_ETCD_PREFIX;
  if (!PREFIX.test(prefix) || prefix.length > 128) {
    throw new InvalidArgumentError('--etcd-prefix', `${JSON.stringify(prefix)}: expected a path that starts and ends with "/", e.g. /hostpilot/ or /prod/hostpilot/`);
  }
  const tls: EtcdTlsSpec = {};
  for (const name of ['ca', 'cert', 'key'] as const) {
    const value = flags[name];
    if (value === undefined) continue;
    if (!value.startsWith('/')) throw new InvalidArgumentError(`--etcd-${name}`, `${JSON.stringify(value)}: expected an absolute path to a PEM file`);
    tls[name] = value;
  }
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    throw new InvalidArgumentError(tls.cert === undefined ? '--etcd-cert' : '--etcd-key', 'a client certificate needs both --etcd-cert and --etcd-key');
  }
  const secure = schemes.has('https');
  if (Object.keys(tls).length > 0 && !secure) {
    throw new InvalidArgumentError(`--etcd-${Object.keys(tls)[0]}`, 'TLS files need https:// etcd endpoints');
  }
  return { kind: 'etcd', endpoints, prefix, ...(Object.keys(tls).length > 0 ? { tls } : {}) };
}

/** `http(s)://host:port`, nothing else; returned normalised. */
function parseEndpoint(item: string): string {
  const bad = (why: string) => new InvalidArgumentError('--store', `etcd endpoint ${JSON.stringify(item)}: ${why}`);
  let url: URL;
  try {
    url = new URL(item);
  } catch {
    throw bad('expected http://HOST:PORT or https://HOST:PORT');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad('scheme must be http or https');
  if (!url.hostname) throw bad('no host');
  if (url.username || url.password) throw bad('credentials do not belong in the URL');
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) throw bad('no path, query or fragment');
  if (!url.port) throw bad('needs an explicit port (etcd listens on 2379 by default)');
  return `${url.protocol}//${url.host}`;
}

export async function openStore(spec: StoreSpec): Promise<Store> {
  switch (spec.kind) {
    case 'sqlite':
      if (spec.path !== ':memory:') {
        try {
          makeDirectory(dirname(spec.path));
        } catch (err) {
          throw new UnavailableError(`--store sqlite:${spec.path}: ${errorMessage(err)}`, { cause: err });
        }
      }
      return new SqliteStore(spec.path);
    case 'etcd': {
      const tls = spec.tls ? await readTls(spec.tls) : undefined;
      return new EtcdStore({ endpoints: spec.endpoints, prefix: spec.prefix, ...(tls ? { tls } : {}) });
    }
  }
}

/**
 * Creates the store's directory and its missing parents, one at a time.
 * Not mkdirSync(recursive): under /proc it loops for ever (mkdir of
 * /proc/self/x says ENOENT, of its parent EEXIST, and again), and its errors
 * do not say which directory failed. Fails with the directory named.
 */
export function makeDirectory(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    try {
      if (!statSync(d).isDirectory()) throw new UnavailableError(`store directory ${d}: not a directory`);
      break;
    } catch (err) {
      if (err instanceof UnavailableError) throw err;
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(d) === d) throw new UnavailableError(`store directory ${d}: ${errorMessage(err)}`);
      missing.unshift(d);
    }
  }
  for (const d of missing) {
    try {
      mkdirSync(d, { mode: 0o750 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new UnavailableError(`cannot create store directory ${d}: ${errorMessage(err)}`);
    }
  }
}

/** Reads the PEM files named by --etcd-ca/--etcd-cert/--etcd-key. */
export async function readTls(spec: EtcdTlsSpec): Promise<EtcdTlsFiles> {
  const files: EtcdTlsFiles = {};
  for (const name of ['ca', 'cert', 'key'] as const) {
    const path = spec[name];
    if (path === undefined) continue;
    try {
      files[name] = await readFile(path);
    } catch (err) {
      throw new InvalidArgumentError(`--etcd-${name}`, `${path}: ${errorMessage(err)}`);
    }
  }
  return files;
}
