// When a gRPC call cannot connect, a look at what answers on that port: an
// HTTP/1 server (the coordinator's FleetLock/metrics port, most likely) is
// named as such, with the gRPC port the coordinator reports in its
// `hostpilot-grpc-port` header.
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { HostPort } from '../common/address.js';
import type { TlsMaterial } from '../common/tls.js';

export interface HttpPortHint {
  /** The gRPC port the coordinator named, if it did. */
  grpcPort?: number;
}

/** Resolves to a hint when an HTTP/1 server answers on `target`, else undefined. Never rejects. */
export function probeHttpPort(target: HostPort, tls: TlsMaterial | undefined, timeoutMs = 2000): Promise<HttpPortHint | undefined> {
  return new Promise((resolve) => {
    let reply = '';
    let settled = false;
    const finish = (hint: HttpPortHint | undefined) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(hint);
    };
    const request = `GET /healthz HTTP/1.1\r\nHost: ${target.host}\r\nConnection: close\r\n\r\n`;
    const socket: Socket = tls
      ? tlsConnect({ host: target.host, port: target.port, cert: tls.cert, key: tls.key, ...(tls.ca ? { ca: tls.ca } : {}), ALPNProtocols: ['http/1.1'], rejectUnauthorized: false }, () => socket.write(request))
      : netConnect({ host: target.host, port: target.port }, () => socket.write(request));
    socket.setTimeout(timeoutMs, () => finish(undefined));
    socket.on('error', () => finish(undefined));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('latin1');
      const end = reply.indexOf('\r\n\r\n');
      if (!reply.startsWith('HTTP/1.'.slice(0, Math.min(7, reply.length)))) return finish(undefined);
      if (end < 0 && reply.length < 16_384) return;
      const port = /^hostpilot-grpc-port:\s*(\d+)\s*$/im.exec(reply.slice(0, end < 0 ? undefined : end));
      finish(port ? { grpcPort: Number(port[1]) } : {});
    });
    socket.on('end', () => finish(reply.startsWith('HTTP/1.') ? {} : undefined));
  });
}
