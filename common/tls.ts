// TLS material and identities. A node's identity is its certificate's CN or
// one of its DNS / URI SANs; the coordinator binds node ids to it.
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import type { PeerCertificate } from 'node:tls';
import { InvalidArgumentError } from './errors.js';

export interface TlsFiles {
  cert?: string;
  key?: string;
  ca?: string;
}

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  ca?: Buffer;
}

/** Reads --tls-cert/--tls-key/--tls-ca; cert and key go together. Undefined: no TLS. */
export function loadTls(files: TlsFiles, flagPrefix = '--tls'): TlsMaterial | undefined {
  if (!files.cert && !files.key && !files.ca) return undefined;
  if (!files.cert || !files.key) throw new InvalidArgumentError(`${flagPrefix}-cert/${flagPrefix}-key`, 'both are needed for TLS');
  const read = (path: string, flag: string) => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new InvalidArgumentError(flag, `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  };
  return {
    cert: read(files.cert, `${flagPrefix}-cert`),
    key: read(files.key, `${flagPrefix}-key`),
    ...(files.ca ? { ca: read(files.ca, `${flagPrefix}-ca`) } : {}),
  };
}

/** The names a peer certificate vouches for: its CN and its DNS / URI subject alternative names. */
export function certificateIdentities(cert: PeerCertificate | undefined | null): string[] {
  if (!cert || Object.keys(cert).length === 0) return [];
  const names = new Set<string>();
  const cn = cert.subject?.CN;
  if (typeof cn === 'string' && cn) names.add(cn);
  for (const entry of (cert.subjectaltname ?? '').split(',')) {
    const m = /^\s*(DNS|URI):(.+?)\s*$/.exec(entry);
    if (m) names.add(m[2]!);
  }
  return [...names];
}

/** gRPC channel credentials for a client of the coordinator (agent, hostpilotctl): mTLS when material is given. */
export function clientCredentials(tls: TlsMaterial | undefined): grpc.ChannelCredentials {
  if (!tls) return grpc.credentials.createInsecure();
  return grpc.credentials.createSsl(tls.ca ?? null, tls.key, tls.cert);
}
