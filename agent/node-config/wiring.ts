// Assembles the node-config area from the agent's parts: the root it
// converges under, /proc/sys there, owners and kernel arguments through the
// command runner (in the host's mount namespace when the agent runs in a pod),
// the systemd area's unit manager (or one of its own, connected on first use),
// and the OS backend for kernel arguments. Its conditions go to the hub.
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import type { CommandRunner } from '../../common/exec/runner.js';
import type { Logger } from '../../common/log.js';
import type { AgentConfig } from '../config.js';
import type { ConditionHub } from '../conditions.js';
import { ProcSysctl } from '../net/sysctl.js';
import type { OsBackendName } from '../os/backend.js';
import { HostMountNamespaceRunner } from '../os/host-namespace.js';
import { UnitManager } from '../systemd/unit-manager.js';
import { NodeConfigAgent } from './agent.js';
import { defaultUnitDir, type ConvergeEnv } from './converge.js';
import { kargsEditor, type KargsEditor } from './kargs.js';
import { OwnerResolver } from './owners.js';
import { NodeConfigStore } from './state.js';

export interface NodeConfigDeps {
  runner: CommandRunner;
  registry: Registry;
  log: Logger;
  conditions: ConditionHub;
  backend: OsBackendName;
  manager?: UnitManager;
  bootId: () => string;
  onChange: () => void;
  closers: Array<() => Promise<void> | void>;
}

/** Everything a converge or a check works on, under `root` (the agent and `hostpilot-agent config status` alike). */
export function convergeEnv(root: string, runner: CommandRunner, manager: () => UnitManager, kargs?: KargsEditor): ConvergeEnv {
  return {
    root,
    unitDir: defaultUnitDir(root),
    sysctl: new ProcSysctl(join(root, 'proc/sys')),
    owners: new OwnerResolver(runner),
    manager,
    ...(kargs ? { kargs } : {}),
  };
}

export function startNodeConfig(config: AgentConfig, deps: NodeConfigDeps): NodeConfigAgent {
  const { root, driftIntervalMs } = config.nodeConfig;
  const ns = config.reboot.hostMountNamespace;
  const hostRunner = ns ? new HostMountNamespaceRunner(deps.runner, ns) : deps.runner;
  let ownManager: UnitManager | undefined;
  const agent = new NodeConfigAgent({
    env: convergeEnv(root, hostRunner, () => deps.manager ?? (ownManager ??= new UnitManager()), kargsEditor(deps.backend, hostRunner, config.reboot.sysroot, ns ? root : undefined)),
    store: new NodeConfigStore(config.paths.nodeConfig),
    registry: deps.registry,
    log: deps.log.child({ area: 'node-config' }),
    bootId: deps.bootId,
    onChange: deps.onChange,
  });
  deps.conditions.add('node-config', () => agent.conditions());
  deps.closers.push(() => {
    agent.stop();
    ownManager?.close();
  });
  void agent.start(driftIntervalMs).catch(() => undefined);
  return agent;
}
