// A real etcd for tests (the launcher lives in bench/ so the benchmarks use it too).
import { startEtcd as launch, type EtcdServer, type EtcdTlsFiles } from '../../bench/etcd-process.js';
import { findCommand } from './components.js';

export type { EtcdServer };

export async function startEtcd(options: { tls?: EtcdTlsFiles } = {}): Promise<EtcdServer> {
  const bin = findCommand('etcd');
  if (!bin) throw new Error('etcd not found (package etcd-server; bash scripts/setup.sh installs it)');
  return launch(bin, options);
}
