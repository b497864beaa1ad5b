// Agent configs for in-process tests.
import type { AgentConfig, RebootConfig } from '../../agent/config.js';
import { agentPaths } from '../../agent/paths.js';
import { defaultRemediationConfig } from '../../agent/remediation/config.js';
import { emptyUnitsConfig } from '../../agent/systemd/units-config.js';

export function rebootConfig(over: Partial<RebootConfig> = {}): RebootConfig {
  return {
    backend: 'rpm-ostree',
    softReboot: 'auto',
    lockGroup: 'default',
    lockApi: 'grpc',
    windows: [],
    checkIntervalMs: 60_000,
    healthTimeoutMs: 300_000,
    hookTimeoutMs: 60_000,
    retryDelayMs: 300_000,
    rebootRequiredFile: '/nonexistent/hostpilot-reboot-required',
    sandbox: false,
    ...over,
  };
}

export function agentConfig(dir: string, over: Partial<AgentConfig> = {}): AgentConfig {
  return {
    coordinator: '127.0.0.1:7070',
    metricsListen: { host: '127.0.0.1', port: 0 },
    nodeId: 'node-a',
    labels: {},
    tls: {},
    paths: agentPaths(`${dir}/state`, `${dir}/etc`),
    units: emptyUnitsConfig(),
    remediation: defaultRemediationConfig(),
    logLevel: 'error',
    reboot: rebootConfig(),
    monitorDirs: [`${dir}/monitors.d`],
    monitors: [],
    podNetwork: false,
    cniStateDir: `${dir}/cni`,
    nodeConfig: { root: `${dir}/root`, driftIntervalMs: 0 },
    ...over,
  };
}
