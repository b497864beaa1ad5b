// A real etcd for tests (the launcher lives in bench/ so the benchmarks use it too).
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startEtcd as launch, startEtcdCluster as launchCluster, type EtcdServer, type EtcdTlsFiles } from '../../bench/etcd-process.js';
import { findCommand } from './components.js';

export type { EtcdServer };

function etcdBinary(): string {
  const bin = findCommand('etcd');
  if (!bin) throw new Error('etcd not found (package etcd-server; bash scripts/setup.sh installs it)');
  return bin;
}

/** A cluster of `size` members on loopback (each one destroyed by the caller). */
export function startEtcdCluster(size: number): Promise<EtcdServer[]> {
  return launchCluster(size, etcdBinary());
}

export async function startEtcd(options: { tls?: EtcdTlsFiles } = {}): Promise<EtcdServer> {
  return launch(etcdBinary(), options);
}

export interface SuiteEtcd {
  /** The suite's etcd, started before its first test. */
  readonly etcd: EtcdServer;
  /** Runs after the current test, the newest first. */
  afterThis(fn: () => Promise<void> | void): void;
  /** A number no other test of the suite got: for key prefixes of their own. */
  unique(): number;
}

/** One etcd for a describe block, destroyed after it, and per-test cleanups. Call it in the block's body. */
export function suiteEtcd(): SuiteEtcd {
  let server: EtcdServer | undefined;
  let n = 0;
  let cleanups: Array<() => Promise<void> | void> = [];
  beforeAll(async () => {
    server = await startEtcd();
  });
  afterAll(async () => {
    await server?.destroy();
  });
  afterEach(async () => {
    for (const fn of cleanups.reverse()) await fn();
    cleanups = [];
  });
  return {
    get etcd() {
      if (!server) throw new Error('suiteEtcd: etcd is not started yet (use it inside a test)');
      return server;
    },
    afterThis: (fn) => void cleanups.push(fn),
    unique: () => ++n,
  };
}
