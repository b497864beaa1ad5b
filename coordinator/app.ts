// Assembles a running coordinator from its config: store, lock service,
// fleet registry, gRPC and HTTP servers. main.ts, tests and benchmarks use it.
import { Registry } from 'prom-client';
import { formatHostPort } from '../common/address.js';
import { registerProcessMetrics } from '../common/process-metrics.js';
import { createLogger, type Logger } from '../common/log.js';
import { loadTls } from '../common/tls.js';
import { Authorizer } from './auth/authorizer.js';
import type { CoordinatorConfig } from './config.js';
import { FleetRegistry } from './fleet/registry.js';
import { fleetHandlers } from './grpc/fleet-service.js';
import { locksHandlers } from './grpc/locks-service.js';
import { startGrpcServer } from './grpc/server.js';
import { startCoordinatorHttp } from './http/server.js';
import { LockService } from './locks/lock-service.js';
import type { Notifier } from './notify/event.js';
import { WebhookNotifier, type WebhookOptions } from './notify/webhook.js';
import { RolloutController } from './rollout/controller.js';
import { DisruptionGate } from './fleet/disruption-gate.js';
import { RemediationController } from './remediation/controller.js';
import { remediationHandlers } from './grpc/remediation-service.js';
import { openLeaderElection } from './leader/open.js';
import { registerLeaderMetrics } from './leader/metrics.js';
import { leaderFence } from './leader/fence.js';
import { runWhileLeader } from './leader/while-leader.js';
import { rolloutsHandlers } from './grpc/rollouts-service.js';
import { resourcesHandlers } from './grpc/resources-service.js';
import { startResources } from './resources/start.js';
import { ConfigService } from './configs/service.js';
import { configsHandlers } from './grpc/configs-service.js';
import type { ResourceService } from './resources/service.js';
import { GitSource } from './git/source.js';
import { ProcessRunner, type CommandRunner } from '../common/exec/runner.js';
import { hostpilotProto } from '../common/proto.js';
import { openStore, parseStoreSpec } from './store/open.js';
import { EtcdStore } from './store/etcd.js';
import type { Store } from './store/store.js';

export interface RunningCoordinator {
  grpcPort: number;
  httpPort: number;
  store: Store;
  locks: LockService;
  fleet: FleetRegistry;
  rollouts: RolloutController;
  remediation: RemediationController;
  resources: ResourceService;
  configs: ConfigService;
  git?: GitSource;
  registry: Registry;
  close(): Promise<void>;
}

export async function startCoordinator(config: CoordinatorConfig, deps: { log?: Logger; now?: () => number; replicaId?: string; runner?: CommandRunner; webhook?: Omit<WebhookOptions, 'urls' | 'registry' | 'log'> } = {}): Promise<RunningCoordinator> {
  const log = deps.log ?? createLogger({ component: 'coordinator', level: config.logLevel, ...(config.logFormat ? { format: config.logFormat } : {}) });
  const now = deps.now ?? Date.now;
  const tls = loadTls(config.tls);
  const registry = new Registry();
  registerProcessMetrics(registry, 'hostpilot_coordinator_');

  const spec = parseStoreSpec(config.store, config.etcd);
  const store = await openStore(spec);
  const closers: Array<() => Promise<void>> = [() => store.close()];
  try {
    // Added early, so closed late (each closer goes first in the list): rollouts and locks stop emitting first.
    // Always there, --notify-url or not: a RemediationPolicy may name a webhook of its own.
    const webhooks = new WebhookNotifier({ urls: config.notifyUrls ?? [], registry, log: log.child({ area: 'notify' }), ...deps.webhook });
    closers.unshift(() => webhooks.close());
    const notifier: Notifier = webhooks;
    const admins = new Set(config.adminIdentities);
    const grpcAuth = new Authorizer(tls?.ca ? 'required' : 'none', admins);
    // With --tls-ca every API is bound to identities; anonymous FleetLock only when asked for.
    const fleetLockAuth = new Authorizer(!tls?.ca ? 'none' : config.fleetLockAnonymous ? 'optional' : 'required', admins);
    const locks = new LockService(
      store,
      { groups: config.groups, allowNewGroups: config.allowNewGroups, newGroupSlots: config.newGroupSlots, maxGroups: config.maxGroups, ...(config.lockTtlMs !== undefined ? { ttlMs: config.lockTtlMs } : {}) },
      registry,
      log.child({ area: 'locks' }),
      now,
      notifier,
    );
    await locks.init();
    const fleet = new FleetRegistry(store, registry, log.child({ area: 'fleet' }), { nodeTimeoutMs: config.nodeTimeoutMs, heartbeatIntervalMs: config.heartbeatIntervalMs }, now);
    // On etcd, replicas follow each other's node records through a watch.
    await fleet.init(store instanceof EtcdStore ? store : undefined);
    closers.unshift(() => fleet.close());
    const configs = new ConfigService(store, fleet, log.child({ area: 'configs' }), now);
    configs.attach();
    const rollouts = new RolloutController(store, fleet, locks, registry, log.child({ area: 'rollout' }), now, notifier, configs);
    // Rollouts and remediation spend the same per-pool budgets, one decision at a time.
    const gate = new DisruptionGate();
    rollouts.shareBudget(gate);
    const remediation = new RemediationController({ store, fleet, locks, gate, rollouts, registry, log: log.child({ area: 'remediation' }), now, notifier, resendMs: 3 * config.heartbeatIntervalMs });
    // Replicas on etcd pass the leader's orders to the nodes streaming to them.
    if (store.kind !== 'sqlite') {
      remediation.startRelay();
      closers.unshift(async () => remediation.stopRelaying());
    }
    // Before any agent connects: a rollout that ended just before a crash leaves no target behind.
    await rollouts.clearEnded();
    const resources = await startResources({ store, locks, rollouts, configs, remediation, registry, log: log.child({ area: 'resources' }), now, refreshMs: Math.max(1000, config.rolloutIntervalMs) });
    closers.unshift(async () => resources.stop());
    const git = config.git ? new GitSource(config.git, { runner: deps.runner ?? new ProcessRunner(), store, resources: resources.service, registry, log: log.child({ area: 'git' }), now }) : undefined;
    await git?.init();

    const grpcServer = await startGrpcServer({
      listen: config.grpcListen,
      ...(tls ? { tls } : {}),
      locks: locksHandlers(locks, grpcAuth),
      fleet: fleetHandlers(fleet, grpcAuth, log.child({ area: 'fleet' }), registry, async (poolLabel) => {
        const held = await remediation.pools();
        return (await rollouts.pools(poolLabel)).map((p) => ({ ...p, remediationStorm: held.get(p.name)?.storm ?? false, remediationPaused: held.get(p.name)?.paused ?? false }));
      }),
      extra: (server) => {
        server.addService(hostpilotProto().hostpilot.v1.Rollouts.service, rolloutsHandlers(rollouts, grpcAuth));
        server.addService(hostpilotProto().hostpilot.v1.Resources.service, resourcesHandlers(resources.service, git, grpcAuth));
        server.addService(hostpilotProto().hostpilot.v1.Configs.service, configsHandlers(configs, grpcAuth));
        server.addService(hostpilotProto().hostpilot.v1.Remediation.service, remediationHandlers(remediation, grpcAuth));
      },
    });
    closers.unshift(() => grpcServer.close());
    const httpServer = await startCoordinatorHttp({
      listen: config.httpListen,
      ...(tls ? { tls } : {}),
      fleetLockAuth,
      locks,
      // A node the fleet knows registered over gRPC, which with --tls-ca takes a certificate.
      certified: (nodeId) => fleet.view(nodeId) !== undefined,
      registry,
      ready: () => store.ready(),
      log: log.child({ area: 'http' }),
      grpcPort: grpcServer.port,
    });
    closers.unshift(() => httpServer.close());
    // Rollouts run on one replica: the etcd election's leader (on SQLite, this process).
    const election = await openLeaderElection(spec, { leaseTtlSeconds: config.leaderLeaseSeconds, log: log.child({ area: 'leader' }), ...(deps.replicaId ? { id: deps.replicaId } : {}) });
    const unregister = registerLeaderMetrics(election, registry);
    const leading = runWhileLeader(
      election,
      (signal) =>
        new Promise<void>((resolve) => {
          // Each task has its own fence: a task stopping late does not end the next term's.
          const fence = leaderFence(store, election);
          fence.begin();
          rollouts.start(config.rolloutIntervalMs);
          // Reports wake it; the timer is for step timeouts, which are minutes.
          remediation.start(Math.max(1000, 5 * config.rolloutIntervalMs));
          git?.start();
          signal.addEventListener(
            'abort',
            () =>
              void Promise.all([rollouts.stop(), remediation.stop(), git?.stop()]).then(() => {
                fence.end();
                resolve();
              }),
            { once: true },
          );
        }),
      log.child({ area: 'leader' }),
    );
    await election.campaign();
    closers.unshift(async () => {
      await leading.stop();
      unregister();
      await election.close();
    });

    log.info('coordinator serving', {
      grpc: formatHostPort({ host: config.grpcListen.host, port: grpcServer.port }),
      http: formatHostPort({ host: config.httpListen.host, port: httpServer.port }),
      store: config.store,
      groups: Object.fromEntries(config.groups),
      tls: Boolean(tls),
      clientCerts: Boolean(tls?.ca),
    });
    if (!tls) log.warn('no TLS: gRPC and FleetLock are unauthenticated; listening on loopback only unless --insecure');
    if (fleetLockAuth.mode === 'optional') {
      log.warn('--fleetlock-anonymous: FleetLock admits clients without a certificate; they may take and release slots for any node id that does not authenticate with a certificate');
    }

    return {
      grpcPort: grpcServer.port,
      httpPort: httpServer.port,
      store,
      locks,
      fleet,
      rollouts,
      remediation,
      resources: resources.service,
      configs,
      ...(git ? { git } : {}),
      registry,
      close: async () => {
        for (const close of closers) await close().catch((err: unknown) => log.warn('close failed', { err }));
      },
    };
  } catch (err) {
    for (const close of closers) await close().catch(() => undefined);
    throw err;
  }
}
