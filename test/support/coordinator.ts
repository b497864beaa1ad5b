// An in-process coordinator on a temp SQLite file and free loopback ports.
import { join } from 'node:path';
import { silentLogger, type Logger } from '../../common/log.js';
import { startCoordinator, type RunningCoordinator } from '../../coordinator/app.js';
import type { CoordinatorConfig } from '../../coordinator/config.js';
import { makeTempDir } from './tmp.js';

export function coordinatorConfig(dir: string, overrides: Partial<CoordinatorConfig> = {}): CoordinatorConfig {
  return {
    grpcListen: { host: '127.0.0.1', port: 0 },
    httpListen: { host: '127.0.0.1', port: 0 },
    store: `sqlite:${join(dir, 'coordinator.db')}`,
    etcd: {},
    leaderLeaseSeconds: 10,
    groups: new Map([['default', 1]]),
    allowNewGroups: false,
    newGroupSlots: 1,
    maxGroups: 1000,
    nodeTimeoutMs: 60_000,
    heartbeatIntervalMs: 10_000,
    rolloutIntervalMs: 200,
    tls: {},
    fleetLockClientCerts: false,
    fleetLockAnonymous: false,
    adminIdentities: [],
    insecure: false,
    logLevel: 'error',
    ...overrides,
  };
}

export async function withCoordinator(
  overrides: Partial<CoordinatorConfig> = {},
  deps: { log?: Logger; now?: () => number } = {},
): Promise<RunningCoordinator & { dir: string; cleanup: () => Promise<void> }> {
  const tmp = makeTempDir('hostpilot-coord-');
  const running = await startCoordinator(coordinatorConfig(tmp.dir, overrides), { log: deps.log ?? silentLogger, ...(deps.now ? { now: deps.now } : {}) });
  return {
    ...running,
    dir: tmp.dir,
    cleanup: async () => {
      await running.close();
      tmp.remove();
    },
  };
}
