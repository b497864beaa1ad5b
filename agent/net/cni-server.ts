// The agent's end of the fast CNI path: a Unix socket where the thin client
// (native/hostpilot-cni.c) forwards each call. The agent's long-lived process
// does the work with the plugin logic it already has loaded, so a call costs
// no Node.js start. Framing (the client's comment has it too): "KEY=VALUE\0"
// per CNI_* variable, "\0", the network config to EOF; reply one byte exit
// code, then the plugin's stdout.
import { chmod, lstat, mkdir, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { silentLogger, type Logger } from '../../common/log.js';
import { CniCode, CniError } from './cni-error.js';
import type { CniReply } from './plugin.js';

/** The client caps stdin at 1 MiB; the environment adds a little. */
export const MAX_REQUEST_BYTES = 1024 * 1024 + 64 * 1024;
const CNI_VARS = new Set(['CNI_COMMAND', 'CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME', 'CNI_ARGS', 'CNI_PATH']);

export interface CniHandler {
  handle(env: Record<string, string | undefined>, stdin: string): Promise<CniReply>;
}

export interface CniRequest {
  env: Record<string, string>;
  stdin: string;
}

export function parseCniRequest(buf: Buffer): CniRequest {
  const env: Record<string, string> = {};
  let at = 0;
  for (;;) {
    const nul = buf.indexOf(0, at);
    if (nul < 0) throw new CniError(CniCode.decodeFailure, 'malformed request from the CNI client: the environment is not terminated');
    if (nul === at) return { env, stdin: buf.subarray(nul + 1).toString('utf8') };
    const entry = buf.subarray(at, nul).toString('utf8');
    const eq = entry.indexOf('=');
    const key = eq > 0 ? entry.slice(0, eq) : '';
    if (!CNI_VARS.has(key)) throw new CniError(CniCode.decodeFailure, `malformed request from the CNI client: ${JSON.stringify(entry.slice(0, 40))} is not a CNI_* variable`);
    env[key] = entry.slice(eq + 1);
    at = nul + 1;
  }
}

export function encodeReply(reply: CniReply): Buffer {
  return Buffer.concat([Buffer.from([reply.exitCode & 0xff]), Buffer.from(reply.stdout ? `${reply.stdout}\n` : '')]);
}

function errorReply(err: CniError): CniReply {
  return { stdout: JSON.stringify(err.toJSON('1.0.0')), exitCode: 1 };
}

export class CniSocketServer {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly handler: CniHandler,
    readonly path: string,
    private readonly logger: Logger = silentLogger,
  ) {}

  async listen(): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o755 });
    // A socket left by an agent that died is in the way; anything else there is not ours to remove.
    const stale = await lstat(this.path).catch(() => undefined);
    if (stale?.isSocket()) await rm(this.path, { force: true });
    // Half-open: the client ends its side to mark the end of stdin, then reads the reply.
    const server = createServer({ allowHalfOpen: true }, (socket) => this.serve(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    // Root only: a call here creates and deletes host interfaces.
    await chmod(this.path, 0o600);
    this.server = server;
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    const chunks: Buffer[] = [];
    let size = 0;
    let answered = false;
    const answer = (reply: CniReply) => {
      if (answered) return;
      answered = true;
      socket.end(encodeReply(reply));
    };
    socket.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) answer(errorReply(new CniError(CniCode.decodeFailure, `request from the CNI client is larger than ${MAX_REQUEST_BYTES} bytes`)));
      else chunks.push(chunk);
    });
    socket.on('end', () => {
      if (answered) return;
      let request: CniRequest;
      try {
        request = parseCniRequest(Buffer.concat(chunks));
      } catch (err) {
        answer(errorReply(err as CniError));
        return;
      }
      this.handler.handle(request.env, request.stdin).then(answer, (err: unknown) => {
        this.logger.warn('CNI request failed', { err });
        answer(errorReply(new CniError(CniCode.plumbingFailed, err instanceof Error ? err.message : String(err))));
      });
    });
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    // Calls in progress finish; new ones go to the fallback plugin.
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(this.path, { force: true });
  }
}
