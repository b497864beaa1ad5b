import { createServer, isIP } from 'node:net';
import { InvalidArgumentError } from './errors.js';

export interface HostPort {
  host: string;
  port: number;
}

/** Parses "HOST:PORT" or "[v6]:PORT"; port 0 asks the kernel for a free one. */
export function parseHostPort(text: string, field: string): HostPort {
  const m = /^\[([0-9a-fA-F:.]+)\]:(\d{1,5})$/.exec(text) ?? /^([A-Za-z0-9.-]+):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) {
    throw new InvalidArgumentError(field, `${JSON.stringify(text)} is not HOST:PORT (e.g. 127.0.0.1:7070)`);
  }
  return { host: m[1]!, port };
}

export function formatHostPort({ host, port }: HostPort): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/** A free loopback port: bound, then released for the caller's own process to take. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
