// Pod networking in the running agent: the settings from agent.json's
// "podNetwork" section, the socket the thin CNI client forwards to, and in
// routed mode the PodNetworkRouting loop, its condition in the hub and the
// reboot flow's steps around it. daemon.ts only calls these.
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import type { CommandRunner } from '../../common/exec/runner.js';
import type { Logger } from '../../common/log.js';
import type { ConditionHub } from '../conditions.js';
import type { AgentConfig } from '../config.js';
import { CniSocketServer } from './cni-server.js';
import { agentCniPlugin } from './agent-plugin.js';
import { PodNetworkRouting } from './routing.js';
import { loadPodNetworkSettings, type RoutedSettings } from './routing-config.js';
import { ProcSysctl } from './sysctl.js';

const STATUS_INTERVAL_MS = 10_000;

export interface PodRoutingDeps {
  config: Pick<AgentConfig, 'paths'>;
  runner: CommandRunner;
  registry: Registry;
  conditions: ConditionHub;
  log: Logger;
  /** True when no reboot is under way: the routes withdrawn for one go back. */
  flowIdle: () => boolean;
}

export interface PodNetworkAgent {
  /** Undefined in proxy-arp mode (no BIRD). */
  routing: PodNetworkRouting | undefined;
  close(): Promise<void>;
}

/** Bad settings throw one line naming the field. */
export async function startPodNetwork(deps: PodRoutingDeps): Promise<PodNetworkAgent> {
  const { settings, cniSocket } = await loadPodNetworkSettings(deps.config.paths.agentConfig);
  // The agent runs in the host's network namespace: sysctls straight through /proc/sys.
  const cni = agentCniPlugin(deps.runner, { sysctl: new ProcSysctl() });
  const log = deps.log.child({ area: 'cni' });
  if (!cni.nativeHelper) log.warn('dist/native/hostpilot-nethelper is missing (npm run build): CNI calls exec the IPAM plugin and nsenter ip per call');
  const server = new CniSocketServer(cni.plugin, cniSocket, log);
  await server.listen();
  const routing = settings.mode === 'routed' ? startRouting(deps, settings) : undefined;
  return {
    routing,
    close: async () => {
      await server.close();
      await cni.close();
      await routing?.stop();
    },
  };
}

function startRouting(deps: PodRoutingDeps, settings: RoutedSettings): PodNetworkRouting {
  const routing = new PodNetworkRouting({
    runner: deps.runner,
    registry: deps.registry,
    settings,
    // Under the state dir: it must survive the reboot it was written for.
    withdrawnMarker: join(deps.config.paths.stateDir, 'pod-routes-withdrawn'),
    keepWithdrawn: () => !deps.flowIdle(),
    logger: deps.log.child({ area: 'routing' }),
  });
  deps.conditions.add('pod-routing', () => [routing.condition()]);
  routing.start(STATUS_INTERVAL_MS);
  return routing;
}

/** A reboot-flow step (hooks) followed by the routing step, when routed mode is on. */
export function withRouting(hooks: () => Promise<void>, step: (() => Promise<void>) | undefined): () => Promise<void> {
  if (!step) return hooks;
  return async () => {
    await hooks();
    await step();
  };
}
