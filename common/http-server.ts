// A small HTTP(S) server shell shared by the coordinator (FleetLock, probes,
// metrics) and the agent (metrics, probes).
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { formatHostPort, type HostPort } from './address.js';
import { UnavailableError } from './errors.js';
import type { TlsMaterial } from './tls.js';

export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface RunningHttpServer {
  port: number;
  close(): Promise<void>;
}

export async function startHttpServer(options: {
  listen: HostPort;
  tls?: TlsMaterial;
  /** Ask for (but do not require at the TLS layer) a client certificate; the handler decides. */
  requestClientCert?: boolean;
  handler: Handler;
  onError: (err: unknown) => void;
}): Promise<RunningHttpServer> {
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    options.handler(req, res).catch((err: unknown) => {
      options.onError(err);
      if (!res.headersSent) sendJson(res, 500, { kind: 'internal_error', value: 'internal error' });
      else res.destroy();
    });
  };
  const server: Server = options.tls
    ? createHttpsServer(
        {
          cert: options.tls.cert,
          key: options.tls.key,
          ...(options.tls.ca ? { ca: options.tls.ca } : {}),
          requestCert: Boolean(options.requestClientCert && options.tls.ca),
          rejectUnauthorized: false,
        },
        listener,
      )
    : createHttpServer(listener);
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new UnavailableError(`listen ${formatHostPort(options.listen)}: ${err.message}`, { cause: err })));
    server.listen(options.listen.port, options.listen.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export class BodyTooLargeError extends Error {}

/** Reads the body up to `limit` bytes; more is an error (and the rest is not read). */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new BodyTooLargeError(`body of ${declared} bytes is over ${limit}`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLargeError(`body is over ${limit} bytes`));
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
