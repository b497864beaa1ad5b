// A real etcd for tests (the launcher lives in bench/ so the benchmarks use it too).
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
