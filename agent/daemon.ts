// Assembles the running agent: metrics, the coordinator link, the OS backend
// and the reboot flow, the systemd area, and the node's report. cli/run.ts
// wires it to the process; tests start it in-process.
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { isProblem, toWireCondition } from '../common/api/conditions.js';
import type { FlowStateName } from '../common/api/flow-state.js';
import { createLogger, type Logger } from '../common/log.js';
import { registerProcessMetrics } from '../common/process-metrics.js';
import { loadTls } from '../common/tls.js';
import type { Deployment as WireDeployment } from '../proto/generated/hostpilot/v1/Deployment.js';
import type { NodeReport } from '../proto/generated/hostpilot/v1/NodeReport.js';
import type { OsFacts } from '../proto/generated/hostpilot/v1/OsFacts.js';
import { loadUnitsConfig } from './cli/units.js';
import { startPodNetwork, withRouting } from './net/agent-wiring.js';
import { ConditionHub } from './conditions.js';
import { ThinPoolWatch } from './storage/watch.js';
import { ProblemDetector } from './problems/detector.js';
import type { KubernetesIntegration } from './k8s/integration.js';
import { NodeMetricsCollector, SystemNodeStatsSource, detectHostPaths } from './metrics/node-metrics.js';
import { PodNetworkReconciler } from './net/reconciler.js';
import type { AgentConfig } from './config.js';
import { CoordinatorClient } from './coordinator/client.js';
import { ProcessRunner, type CommandRunner } from '../common/exec/runner.js';
import { readBootId } from './identity.js';
import { startMetricsServer } from './metrics/server.js';
import type { OsBackend, OsStatus } from './os/backend.js';
import { createOsBackend } from './os/factory.js';
import { OsInfoMetric } from './os/metrics.js';
import { OstreeBackend } from './os/ostree.js';
import { readSandboxMarker } from './os/sandbox-boot.js';
import { collectOsFacts } from './os-facts.js';
import { ConditionsBlocker, ExecutableDirBlocker } from './reboot/blockers.js';
import { RebootController, summary } from './reboot/controller.js';
import { FleetLockRebootLock } from './reboot/fleetlock-lock.js';
import { FlowStore } from './reboot/flow-store.js';
import { GrpcRebootLock } from './reboot/grpc-lock.js';
import { ConditionsHealth, ExecutableHealth } from './reboot/health.js';
import { hookRunner } from './reboot/hooks.js';
import type { Drainer, RebootLock, Rebooter } from './reboot/ports.js';
import { SANDBOX_REBOOT_EXIT_CODE, SandboxRebooter } from './reboot/sandbox-rebooter.js';
import { FinalizingRebooter } from './reboot/finalizing-rebooter.js';
import { RpmOstreeBackend } from './os/rpm-ostree.js';
import { SystemdRebooter } from './systemd/rebooter.js';
import { startSystemdArea, type SystemdArea } from './systemd/service.js';
import { UnitManager } from './systemd/unit-manager.js';

export const AGENT_VERSION = '0.1.0';

export interface RunningAgent {
  metricsPort: number;
  client: CoordinatorClient;
  controller: RebootController;
  conditions: ConditionHub;
  registry: Registry;
  close(): Promise<void>;
}

export interface AgentDeps {
  log?: Logger;
  runner?: CommandRunner;
  /** Sandbox mode: called when the sandbox "reboots" (the process should exit and be restarted). */
  onSandboxReboot?: () => void;
  drainer?: Drainer;
}

export async function startAgent(config: AgentConfig, deps: AgentDeps = {}): Promise<RunningAgent> {
  const log = deps.log ?? createLogger({ component: 'agent', level: config.logLevel, base: { node: config.nodeId }, ...(config.logFormat ? { format: config.logFormat } : {}) });
  const runner = deps.runner ?? new ProcessRunner();
  const registry = new Registry();
  registerProcessMetrics(registry, 'hostpilot_agent_');
  const tls = loadTls(config.tls);
  const os: OsFacts = await collectOsFacts().catch((err: unknown) => {
    log.warn('could not read OS facts', { err });
    return {};
  });
  const closers: Array<() => Promise<void> | void> = [];
  const conditions = new ConditionHub();
  const { reboot } = config;

  const backend = createOsBackend({ backend: reboot.backend, runner, ...(reboot.sysroot !== undefined ? { sysroot: reboot.sysroot } : {}) });
  const osInfo = new OsInfoMetric(registry);
  const status = cachedStatus(backend, (s) => osInfo.update(s), reboot.checkIntervalMs);

  // The systemd area: declared units and unit health, when the config asks for any.
  const unitsConfig = await loadUnitsConfig(existsSync(join(config.configDir, 'agent.json')) ? join(config.configDir, 'agent.json') : undefined);
  let systemd: SystemdArea | undefined;
  if (unitsConfig.manage.length > 0 || unitsConfig.watch.length > 0) {
    systemd = await startSystemdArea({ units: unitsConfig, registry, logger: log.child({ area: 'systemd' }) });
    const area = systemd;
    conditions.add('units', () => area.health.conditions());
    closers.push(() => area.stop());
  }

  // Node problems (node-problem-detector's monitors): conditions that block reboots and fail health checks.
  const problems = new ProblemDetector({
    configPaths: config.monitorDirs,
    optionalDirs: true,
    runner,
    registry,
    logger: log.child({ area: 'problems' }),
    statePath: join(config.stateDir, 'conditions.json'),
  });
  conditions.add('problems', () => problems.conditions());
  await problems.start();
  closers.push(() => problems.stop());

  if (config.podNetwork) {
    const net = new PodNetworkReconciler({ runner, registry, stateDir: config.cniStateDir, logger: log.child({ area: 'net' }) });
    // Drift the reconciler repaired is reported (metrics, message) but is no longer a problem; drift it could not repair is.
    conditions.add('pod-network', () => {
      const c = net.condition();
      return [{ ...c, status: c.status === 'True' && c.reason === 'RepairFailed' ? 'True' : 'False' }];
    });
    net.start(30_000);
    closers.push(() => net.stop());
  }

  // The container runtime's thin pool, when this node has one configured.
  if (config.storageConfig) {
    const watch = new ThinPoolWatch(runner, config.storageConfig, registry);
    conditions.add('thin-pool', () => watch.current());
    const check = () => void watch.check().catch((err: unknown) => log.warn('thin pool check failed', { err }));
    check();
    const timer = setInterval(check, 30_000);
    closers.push(() => clearInterval(timer));
  }

  // Node metrics for Prometheus, collected off the scrape path.
  const nodeMetrics = new NodeMetricsCollector({ registry, source: new SystemNodeStatsSource(await detectHostPaths()), intervalMs: 15_000, logger: log.child({ area: 'node-metrics' }) });
  void nodeMetrics.start();
  closers.push(() => nodeMetrics.stop());

  // On a Kubernetes node: cordon/drain around the reboot, and the node's status in the API.
  // Loaded only there: the client library is large and slow to import.
  let kube: KubernetesIntegration | undefined;
  if (config.kubernetes) {
    const { createKubernetesIntegration } = await import('./k8s/integration.js');
    kube = createKubernetesIntegration(config.kubernetes, { registry, logger: log });
  }

  const drainer = deps.drainer ?? kube?.drainer;

  let controller: RebootController | undefined;
  // The thin CNI client's socket; routed mode: BIRD announces the pod block, withdrawn before a reboot, announced once steady.
  const podNetwork = config.podNetwork ? await startPodNetwork({ config, runner, registry, conditions, log, flowIdle: () => ['idle', 'failed'].includes(controller?.current.kind ?? 'idle') }) : undefined;
  if (podNetwork) closers.push(() => podNetwork.close());
  const routing = podNetwork?.routing;
  const report = async (): Promise<NodeReport> => {
    const flow = controller?.current ?? { kind: 'idle' as const };
    const s = await status.get().catch(() => undefined);
    if (kube) publishToKubernetes(kube, flow.kind, s, conditions, log);
    return {
      node_id: config.nodeId,
      hostname: hostname(),
      labels: config.labels,
      os,
      deployments: (s?.deployments ?? []).map(toWireDeployment),
      flow_state: flow.kind,
      flow_target: summary(flow).target ?? '',
      flow_error: summary(flow).error ?? '',
      conditions: conditions.all().map(toWireCondition),
    };
  };

  const client = new CoordinatorClient({
    address: config.coordinator,
    ...(tls ? { tls } : {}),
    nodeId: config.nodeId,
    registration: async () => ({ node_id: config.nodeId, hostname: hostname(), labels: config.labels, os, agent_version: AGENT_VERSION }),
    report,
    onDirective: (d) => controller?.setDesired(d.desired_target?.target ?? ''),
    log,
    registry,
  });
  closers.push(() => client.stop());
  const unsubscribe = problems.onChange(() => {
    void client.reportNow().catch(() => undefined);
    void controller?.trigger();
  });
  closers.push(unsubscribe);

  const lock: RebootLock =
    reboot.lockApi === 'grpc' ? new GrpcRebootLock(client, reboot.lockGroup) : new FleetLockRebootLock(reboot.fleetLockUrl!, config.nodeId, reboot.lockGroup, tls);
  // The rebooter asks again right before rebooting: a re-entrant acquire that grants means this node holds the slot now.
  const lockHeld = async () => (await lock.acquire()).granted;
  const systemdRebooter = () => new SystemdRebooter({ manager: systemd?.manager ?? new UnitManager(), lockHeld, logger: log });
  const rebooter: Rebooter = reboot.sandbox
    ? new SandboxRebooter(backend as OstreeBackend, lockHeld, reboot.rebootRequiredFile, deps.onSandboxReboot ?? (() => process.exit(SANDBOX_REBOOT_EXIT_CODE)), log)
    : backend instanceof RpmOstreeBackend
      ? new FinalizingRebooter(backend, lockHeld, systemdRebooter())
      : systemdRebooter();

  const imageHealthDir = async (): Promise<string[]> => {
    const dirs = [join(config.configDir, 'health.d')];
    if (reboot.sandbox) {
      const booted = (await status.get()).booted;
      if (booted) dirs.push(join((backend as OstreeBackend).deploymentPath(booted), 'usr/lib/hostpilot/health.d'));
    } else {
      dirs.push('/usr/lib/hostpilot/health.d');
    }
    return dirs;
  };
  const hookEnv = { HOSTPILOT_NODE_ID: config.nodeId };
  const sandboxBootId = reboot.sandbox ? await readSandboxMarker(reboot.sysroot!) : null;
  controller = new RebootController({
    os: status.backend,
    lock,
    rebooter,
    blockers: [new ConditionsBlocker(() => conditions.all()), new ExecutableDirBlocker(runner, join(config.configDir, 'blockers.d'), reboot.hookTimeoutMs)],
    health: [new ConditionsHealth(() => conditions.all()), new ExecutableHealth(runner, imageHealthDir, reboot.hookTimeoutMs)],
    preReboot: withRouting(hookRunner(runner, join(config.configDir, 'pre-reboot.d'), reboot.hookTimeoutMs, hookEnv), () => routing?.withdraw()),
    postReboot: withRouting(hookRunner(runner, join(config.configDir, 'post-reboot.d'), reboot.hookTimeoutMs, hookEnv), () => routing?.announceAgain()),
    ...(drainer ? { drainer } : {}),
    store: new FlowStore(config.stateDir),
    // A sandbox boots by writing its marker; the marker's boot id is read once per process, like a kernel's.
    bootId: () => (reboot.sandbox ? (sandboxBootId?.bootId ?? 'sandbox-unbooted') : readBootId()),
    rebootRequired: () => existsSync(reboot.rebootRequiredFile),
    windows: reboot.windows,
    healthTimeoutMs: reboot.healthTimeoutMs,
    retryDelayMs: reboot.retryDelayMs,
    report: () => client.reportNow(),
    now: Date.now,
    log: log.child({ area: 'reboot' }),
    registry,
  });
  const flow = controller;
  const tick = setInterval(() => void flow.trigger(), reboot.checkIntervalMs);
  closers.push(() => clearInterval(tick));

  const metrics = await startMetricsServer({ listen: config.metricsListen, registry, healthy: () => true, log });
  closers.push(() => metrics.close());
  client.start();
  void flow.trigger();
  log.info('agent started', {
    coordinator: config.coordinator,
    metrics: `${config.metricsListen.host}:${metrics.port}`,
    labels: config.labels,
    backend: reboot.backend,
    flow: flow.current.kind,
  });

  return {
    metricsPort: metrics.port,
    client,
    controller: flow,
    conditions,
    registry,
    close: async () => {
      for (const close of closers.reverse()) await close();
    },
  };
}

// The publisher writes only what changed; a failure is logged and retried with the next report.
function publishToKubernetes(kube: KubernetesIntegration, flowState: FlowStateName, s: OsStatus | undefined, conditions: ConditionHub, log: Logger): void {
  const status = {
    ...(s?.booted?.version ? { bootedVersion: s.booted.version } : {}),
    flowState,
  };
  const nodeConditions = conditions.all().map((c) => ({ type: c.type.replace(/[^A-Za-z0-9]/g, ''), status: isProblem(c) ? ('True' as const) : ('False' as const), reason: c.reason, message: c.message }));
  void kube.status.publishStatus(status).catch((err: unknown) => log.warn('cannot publish node status', { err }));
  void kube.status.publishConditions(nodeConditions).catch((err: unknown) => log.warn('cannot publish node conditions', { err }));
}

function toWireDeployment(d: OsStatus['deployments'][number]): WireDeployment {
  return {
    id: d.id,
    osname: d.osname,
    checksum: d.checksum,
    version: d.version,
    origin: d.origin,
    booted: d.booted,
    staged: d.staged,
    pinned: d.pinned,
    index: d.index,
    timestamp_unix: d.timestamp,
  };
}

// The flow reads the OS status fresh on every tick; heartbeats reuse the last
// read for up to `ttlMs` (the flow's check interval), so an idle agent does not
// run `ostree admin status` / `rpm-ostree status` on every heartbeat. Any change
// through the backend drops it.
function cachedStatus(backend: OsBackend, onStatus: (s: OsStatus) => void, ttlMs: number) {
  let cached: { at: number; value: Promise<OsStatus> } | undefined;
  const fresh = (): Promise<OsStatus> => {
    const value = backend.status().then((s) => {
      onStatus(s);
      return s;
    });
    value.catch(() => (cached = undefined));
    cached = { at: Date.now(), value };
    return value;
  };
  const get = (): Promise<OsStatus> => (cached && Date.now() - cached.at <= ttlMs ? cached.value : fresh());
  const invalidating =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await fn(...args);
      } finally {
        cached = undefined;
      }
    };
  return {
    get,
    backend: {
      status: fresh,
      deploy: invalidating((t: string) => backend.deploy(t)),
      upgrade: invalidating(() => backend.upgrade()),
      rollback: invalidating(() => backend.rollback()),
    },
  };
}
