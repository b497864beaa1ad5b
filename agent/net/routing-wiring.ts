// Routed mode in the running agent: the settings from agent.json's
// "podNetwork" section, the PodNetworkRouting loop, its condition in the hub,
// and the reboot flow's steps around it. daemon.ts only calls these.
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import type { CommandRunner } from '../../common/exec/runner.js';
import type { Logger } from '../../common/log.js';
import type { ConditionHub } from '../conditions.js';
import type { AgentConfig } from '../config.js';
import { PodNetworkRouting } from './routing.js';
import { loadPodNetworkSettings } from './routing-config.js';

const STATUS_INTERVAL_MS = 10_000;

export interface PodRoutingDeps {
  config: Pick<AgentConfig, 'configDir' | 'stateDir'>;
  runner: CommandRunner;
  registry: Registry;
  conditions: ConditionHub;
  log: Logger;
  /** True when no reboot is under way: the routes withdrawn for one go back. */
  flowIdle: () => boolean;
}

/** Undefined in proxy-arp mode (no BIRD). Bad settings throw one line naming the field. */
export async function startPodRouting(deps: PodRoutingDeps): Promise<PodNetworkRouting | undefined> {
  const settings = await loadPodNetworkSettings(join(deps.config.configDir, 'agent.json'));
  if (settings.mode !== 'routed') return undefined;
  const routing = new PodNetworkRouting({
    runner: deps.runner,
    registry: deps.registry,
    settings,
    // Under the state dir: it must survive the reboot it was written for.
    withdrawnMarker: join(deps.config.stateDir, 'pod-routes-withdrawn'),
    keepWithdrawn: () => !deps.flowIdle(),
    logger: deps.log.child({ area: 'routing' }),
  });
  deps.conditions.add('pod-routing', () => [routing.condition()]);
  routing.start(STATUS_INTERVAL_MS);
  return routing;
}

/** A reboot-flow step (hooks) followed by the routing step, when routed mode is on. */
export function withRouting(hooks: () => Promise<void>, step: () => Promise<void> | undefined): () => Promise<void> {
  return async () => {
    await hooks();
    await step();
  };
}
