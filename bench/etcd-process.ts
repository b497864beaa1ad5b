// A throw-away etcd (Debian's etcd-server) for tests and benchmarks: free
// loopback ports, a temp data dir, stop/start/kill for fault tests, and a
// destroy that kills it and removes the data dir whatever happened. Not
// production code (the coordinator starts no daemons), so it spawns directly
// instead of through the command runner: the runner waits for a command to
// finish, and etcd is a server that must keep running.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPort as freePort } from '../common/address.js';

export interface EtcdServer {
  /** http://127.0.0.1:PORT */
  readonly endpoint: string;
  readonly dataDir: string;
  /** The running etcd's pid (for CPU and memory figures); undefined while stopped. */
  readonly pid: number | undefined;
  /** Starts etcd (again, on the same ports and data dir) and waits until it serves. */
  start(): Promise<void>;
  /** SIGTERM (or SIGKILL) and wait for the process to exit. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Stops etcd and removes the data dir. */
  destroy(): Promise<void>;
  /** etcd's own output, for failure messages. */
  log(): string;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** PEM file paths: etcd serves clients over TLS and requires a client certificate signed by `ca`. */
export interface EtcdTlsFiles {
  cert: string;
  key: string;
  ca: string;
}

export async function startEtcd(bin = '/usr/bin/etcd', options: { tls?: EtcdTlsFiles } = {}): Promise<EtcdServer> {
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const server = member(bin, 'test', clientPort, peerPort, `test=http://127.0.0.1:${peerPort}`, options.tls);
  try {
    await server.start();
  } catch (err) {
    await server.destroy();
    throw err;
  }
  return server;
}

/** A cluster of `size` members on loopback; all must be destroyed. */
export async function startEtcdCluster(size: number, bin = '/usr/bin/etcd'): Promise<EtcdServer[]> {
  const ports: [number, number][] = [];
  for (let i = 0; i < size; i++) ports.push([await freePort(), await freePort()]);
  const initial = ports.map(([, peer], i) => `m${i}=http://127.0.0.1:${peer}`).join(',');
  const members = ports.map(([client, peer], i) => member(bin, `m${i}`, client, peer, initial));
  try {
    // Each member is healthy only once the cluster has a quorum: start them together.
    await Promise.all(members.map((m) => m.start()));
  } catch (err) {
    await Promise.all(members.map((m) => m.destroy()));
    throw err;
  }
  return members;
}

function member(bin: string, name: string, clientPort: number, peerPort: number, initialCluster: string, tls?: EtcdTlsFiles): EtcdServer {
  // The same token for every member of one cluster; distinct between clusters.
  const token = `hostpilot-test-${createHash('sha256').update(initialCluster).digest('hex').slice(0, 12)}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'hostpilot-etcd-'));
  const endpoint = `${tls ? 'https' : 'http'}://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  let child: ChildProcess | undefined;
  let output = '';

  const argv = [
    '--name', name,
    '--data-dir', dataDir,
    '--listen-client-urls', endpoint,
    '--advertise-client-urls', endpoint,
    '--listen-peer-urls', peer,
    '--initial-advertise-peer-urls', peer,
    '--initial-cluster', initialCluster,
    '--initial-cluster-token', token,
    '--log-level', 'warn',
    '--logger', 'zap',
    ...(tls ? ['--cert-file', tls.cert, '--key-file', tls.key, '--client-cert-auth', '--trusted-ca-file', tls.ca] : []),
  ];

  const server: EtcdServer = {
    endpoint,
    dataDir,
    get pid() {
      return child?.pid;
    },
    async start() {
      if (child) return;
      const proc = spawn(bin, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
      child = proc;
      live.add(proc);
      const append = (chunk: Buffer) => {
        output = (output + chunk.toString()).slice(-20_000);
      };
      proc.stdout?.on('data', append);
      proc.stderr?.on('data', append);
      proc.once('exit', () => {
        live.delete(proc);
        if (child === proc) child = undefined;
      });
      await waitHealthy(endpoint, proc, () => output, tls);
    },
    async stop(signal = 'SIGTERM') {
      const proc = child;
      if (!proc) return;
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      proc.kill(signal);
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
    async destroy() {
      try {
        await server.stop('SIGKILL');
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
    log: () => output,
  };
  return server;
}

function health(endpoint: string, tls: EtcdTlsFiles | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const files = tls ? { ca: readFileSync(tls.ca), cert: readFileSync(tls.cert), key: readFileSync(tls.key) } : {};
    const req = (tls ? httpsRequest : httpRequest)(`${endpoint}/health`, { timeout: 1000, ...files }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve(res.statusCode === 200 && /"health":\s*"true"/.test(body)));
      res.on('error', () => resolve(false));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

async function waitHealthy(endpoint: string, proc: ChildProcess, log: () => string, tls: EtcdTlsFiles | undefined): Promise<void> {
  const until = Date.now() + 20_000;
  while (Date.now() < until) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`etcd exited (${proc.exitCode ?? proc.signalCode}):\n${log()}`);
    try {
      if (await health(endpoint, tls)) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  proc.kill('SIGKILL');
  throw new Error(`etcd did not become healthy within 20 s:\n${log()}`);
}
