// Assembles the running agent: wiring only. What each part does lives in its
// own module (areas.ts, report.ts, reboot/wiring.ts, os/status-cache.ts);
// cli/run.ts wires this to the process, tests start it in-process. Whatever
// can fail at start-up (the state dir, the flow's state file, the metrics
// port) is tried first, and a failure closes what was opened.
import { Registry } from 'prom-client';
import { HostpilotError, UnavailableError, errorMessage } from '../common/errors.js';
import { ProcessRunner, type CommandRunner } from '../common/exec/runner.js';
import { createLogger, type Logger } from '../common/log.js';
import { registerProcessMetrics } from '../common/process-metrics.js';
import { loadTls } from '../common/tls.js';
import { startAreas } from './areas.js';
import type { AgentConfig } from './config.js';
import { ConditionHub } from './conditions.js';
import { CoordinatorClient } from './coordinator/client.js';
import type { KubernetesIntegration } from './k8s/integration.js';
import { startMetricsServer } from './metrics/server.js';
import { selectOsBackend } from './os/factory.js';
import { OsInfoMetric } from './os/metrics.js';
import { cachedStatus } from './os/status-cache.js';
import { collectOsFacts } from './os-facts.js';
import type { RebootController } from './reboot/controller.js';
import { FlowStore } from './reboot/flow-store.js';
import type { Drainer } from './reboot/ports.js';
import { createRebootController } from './reboot/wiring.js';
import { startPodNetwork } from './net/agent-wiring.js';
import { createRemediator } from './remediation/wiring.js';
import { buildReport, registration } from './report.js';
import type { NodeConfigAgent } from './node-config/agent.js';
import { startNodeConfig } from './node-config/wiring.js';
import { checkStateDir } from './state-dir.js';

export { AGENT_VERSION } from './report.js';

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
  checkStateDir(config.paths.stateDir);
  const store = new FlowStore(config.paths.flowState);
  store.load();
  const metrics = await startMetricsServer({ listen: config.metricsListen, registry, healthy: () => true, log }).catch((err: unknown) => {
    const code = ((err as Error).cause as NodeJS.ErrnoException | undefined)?.code;
    throw new UnavailableError(`--metrics-listen ${config.metricsListen.host}:${config.metricsListen.port}: ${code === 'EADDRINUSE' ? 'address already in use' : (code ?? errorMessage(err))}`);
  });
  const closers: Array<() => Promise<void> | void> = [() => metrics.close()];
  const close = async () => {
    for (const c of closers.splice(0).reverse()) await c();
  };
  try {
    const os = await collectOsFacts().catch((err: unknown) => (log.warn('could not read OS facts', { err }), {}));
    const conditions = new ConditionHub();
    const selection = await selectOsBackend({
      backend: config.reboot.backend,
      runner,
      logger: log.child({ area: 'os' }),
      ...(config.reboot.sysroot !== undefined ? { sysroot: config.reboot.sysroot } : {}),
      ...(config.reboot.hostMountNamespace !== undefined ? { hostMountNamespace: config.reboot.hostMountNamespace } : {}),
    });
    const { backend } = selection;
    log.info('OS backend', { backend: selection.name, reason: selection.reason });
    const osInfo = new OsInfoMetric(registry);
    const status = cachedStatus(backend, (s) => osInfo.update(s), config.reboot.checkIntervalMs);
    const areas = await startAreas(config, { runner, registry, log, conditions, closers });

    // On a Kubernetes node: cordon/drain around the reboot, and the node's status in the API.
    // Loaded only there: the client library is large and slow to import.
    let kube: KubernetesIntegration | undefined;
    if (config.kubernetes) kube = (await import('./k8s/integration.js')).createKubernetesIntegration(config.kubernetes, { registry, logger: log });
    const drainer = deps.drainer ?? kube?.drainer;

    let controller: RebootController | undefined;
    let nodeConfig: NodeConfigAgent | undefined;
    // The thin CNI client's socket; routed mode: BIRD announces the pod block, withdrawn around reboots.
    const podNetwork = config.podNetwork ? await startPodNetwork({ config, runner, registry, conditions, log, flowIdle: () => ['idle', 'failed'].includes(controller?.current.kind ?? 'idle') }) : undefined;
    if (podNetwork) closers.push(() => podNetwork.close());
    // The fleet's remediation orders: carried out once each, their result in every report.
    const remediation = createRemediator(config, {
      registry, log,
      ...(areas.systemd ? { manager: areas.systemd.manager } : {}),
      ...(kube ? { kube } : {}),
      report: () => void client.reportNow().catch(() => undefined),
    });
    closers.push(() => remediation.close());
    const client = new CoordinatorClient({
      address: config.coordinator,
      ...(tls ? { tls } : {}),
      nodeId: config.nodeId,
      registration: async () => registration({ nodeId: config.nodeId, labels: config.labels, os }),
      report: () =>
        buildReport({ nodeId: config.nodeId, labels: config.labels, os, status: () => status.get().catch(() => undefined), flow: () => controller?.current ?? { kind: 'idle' }, resolvedTarget: () => controller?.resolvedTarget ?? '', conditions, configHash: () => nodeConfig?.appliedHash ?? '', remediation: () => remediation.remediator.result(), ...(kube ? { kube } : {}), log }),
      onDirective: (d) => {
        if (d.desired_target) controller?.setDesired(d.desired_target.target);
        if (d.reset) controller?.reset();
        if (d.desired_config) void nodeConfig?.setDesired(d.desired_config);
        if (d.remediation) remediation.remediator.receive(d.remediation);
      },
      log,
      registry,
    });
    closers.push(() => client.stop());
    closers.push(
      areas.problems.onChange(() => {
        void client.reportNow().catch(() => undefined);
        void controller?.trigger();
      }),
    );

    const flow = await createRebootController(config, {
      runner, registry, log, tls, client, conditions, backend, status, store,
      ...(drainer ? { drainer } : {}),
      ...(areas.systemd ? { manager: areas.systemd.manager } : {}),
      remediation: remediation.remediator,
      ...(deps.onSandboxReboot ? { onSandboxReboot: deps.onSandboxReboot } : {}),
      ...(podNetwork?.routing ? { podRoutes: podNetwork.routing } : {}),
      configRebootPending: () => nodeConfig?.rebootPending() ?? false,
    });
    controller = flow;
    // Node configs from the coordinator: a config that needs a reboot waits for the flow (one reboot with an OS update).
    nodeConfig = startNodeConfig(config, {
      runner, registry, log, conditions, backend: selection.name, bootId: () => flow.bootId, closers,
      ...(areas.systemd ? { manager: areas.systemd.manager } : {}),
      onChange: () => {
        void client.reportNow().catch(() => undefined);
        void flow.trigger();
      },
    });
    remediation.remediator.attach(flow);
    const tick = setInterval(() => void flow.trigger(), config.reboot.checkIntervalMs);
    closers.push(() => clearInterval(tick));

    client.start();
    void flow.trigger();
    log.info('agent started', { coordinator: config.coordinator, metrics: `${config.metricsListen.host}:${metrics.port}`, labels: config.labels, backend: selection.name, flow: flow.current.kind });
    return { metricsPort: metrics.port, client, controller: flow, conditions, registry, close };
  } catch (err) {
    await close().catch(() => undefined);
    throw err instanceof HostpilotError ? err : new UnavailableError(`cannot start: ${errorMessage(err)}`, { cause: err });
  }
}
