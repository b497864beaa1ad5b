// Assembles the running agent: metrics, the coordinator link and the node's
// report. cli/run.ts wires it to the process; tests start it in-process.
import { hostname } from 'node:os';
import { Registry } from 'prom-client';
import { registerProcessMetrics } from '../common/process-metrics.js';
import { createLogger, type Logger } from '../common/log.js';
import { loadTls } from '../common/tls.js';
import type { NodeReport } from '../proto/generated/hostpilot/v1/NodeReport.js';
import type { OsFacts } from '../proto/generated/hostpilot/v1/OsFacts.js';
import type { AgentConfig } from './config.js';
import { CoordinatorClient } from './coordinator/client.js';
import { startMetricsServer } from './metrics/server.js';
import { collectOsFacts } from './os-facts.js';

export const AGENT_VERSION = '0.1.0';

export interface RunningAgent {
  metricsPort: number;
  client: CoordinatorClient;
  registry: Registry;
  close(): Promise<void>;
}

export async function startAgent(config: AgentConfig, deps: { log?: Logger } = {}): Promise<RunningAgent> {
  const log = deps.log ?? createLogger({ component: 'agent', level: config.logLevel, base: { node: config.nodeId } });
  const registry = new Registry();
  registerProcessMetrics(registry, 'hostpilot_agent_');
  const tls = loadTls(config.tls);
  const os: OsFacts = await collectOsFacts().catch((err: unknown) => {
    log.warn('could not read OS facts', { err });
    return {};
  });

  const report = async (): Promise<NodeReport> => ({
    node_id: config.nodeId,
    hostname: hostname(),
    labels: config.labels,
    os,
  });

  const client = new CoordinatorClient({
    address: config.coordinator,
    ...(tls ? { tls } : {}),
    nodeId: config.nodeId,
    registration: async () => ({ node_id: config.nodeId, hostname: hostname(), labels: config.labels, os, agent_version: AGENT_VERSION }),
    report,
    onDirective: (d) => log.info('directive', { desired: d.desired_target }),
    log,
    registry,
  });
  const metrics = await startMetricsServer({ listen: config.metricsListen, registry, healthy: () => true, log });
  client.start();
  log.info('agent started', { coordinator: config.coordinator, metrics: `${config.metricsListen.host}:${metrics.port}`, labels: config.labels });

  return {
    metricsPort: metrics.port,
    client,
    registry,
    close: async () => {
      client.stop();
      await metrics.close();
    },
  };
}
