// A real coordinator for a benchmark: node dist/coordinator/main.js on
// loopback ports, its log (and its SQLite store, unless given another store)
// in a temp dir of its own. Shared by bench:fleet (one per replica on etcd),
// bench:report-flood and bench:idle-fleet.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { hostpilotProto } from '../../common/proto.js';

export interface BenchCoordinator {
  /** gRPC host:port. */
  address: string;
  httpPort: number;
  pid: number;
  dir: string;
  logPath: string;
  /** SIGTERM (SIGKILL after 10 s), then removes the temp dir unless kept. */
  stop(keep?: boolean): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForCoordinator(address: string, exited: () => boolean, logPath: string): Promise<void> {
  const fleet = new (hostpilotProto().hostpilot.v1.Fleet)(address, grpc.credentials.createInsecure());
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const ok = await new Promise<boolean>((resolve) => fleet.ListNodes({}, { deadline: new Date(Date.now() + 2000) }, (err) => resolve(!err)));
      if (ok) return;
      if (exited() || Date.now() > deadline) throw new Error(`the coordinator did not come up:\n${(await readFile(logPath, 'utf8').catch(() => '')).slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    fleet.close();
  }
}

/**
 * Starts a coordinator with `args` added to its listen and store flags.
 * `store`: its --store value; by default a new SQLite file in its temp dir.
 * BENCH_COORDINATOR_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=DIR") goes to its node only.
 */
export async function startBenchCoordinator(name: string, args: string[], storeDir = tmpdir(), store?: string): Promise<BenchCoordinator> {
  const dir = await mkdtemp(join(storeDir, `hostpilot-bench-${name}-`));
  const logPath = join(dir, 'coordinator.log');
  const [grpcPort, httpPort] = [await freePort(), await freePort()];
  const address = `127.0.0.1:${grpcPort}`;
  const coordinatorMain = fileURLToPath(new URL('../../coordinator/main.js', import.meta.url));
  const logFile = createWriteStream(logPath);
  await new Promise((r) => logFile.once('open', r));
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_COORDINATOR_NODE_ARGS ?? '').split(' ').filter(Boolean),
      coordinatorMain,
      '--grpc-listen', address,
      '--http-listen', `127.0.0.1:${httpPort}`,
      '--store', store ?? `sqlite:${join(dir, 'coordinator.db')}`,
      ...args,
    ],
    { stdio: ['ignore', logFile, logFile] },
  );
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const stop = async (keep = false) => {
    if (!exited) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exit;
    clearTimeout(timer);
    logFile.end();
    if (!keep) await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitForCoordinator(address, () => exited, logPath);
  } catch (err) {
    await stop(true);
    throw err;
  }
  return { address, httpPort, pid: child.pid!, dir, logPath, stop };
}
