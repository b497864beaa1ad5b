// Assembles the reboot flow from the agent's parts: the lock (gRPC or
// FleetLock), the host's rebooter, blockers and health checks from the
// conditions and the config dir's executables, the hooks, and the flow's
// state file.
import type { Registry } from 'prom-client';
import type { CommandRunner } from '../../common/exec/runner.js';
import type { Logger } from '../../common/log.js';
import type { TlsMaterial } from '../../common/tls.js';
import type { AgentConfig } from '../config.js';
import type { ConditionHub } from '../conditions.js';
import type { CoordinatorClient } from '../coordinator/client.js';
import { existsSync } from 'node:fs';
import type { OsBackend } from '../os/backend.js';
import type { cachedStatus } from '../os/status-cache.js';
import type { UnitManager } from '../systemd/unit-manager.js';
import { ConditionsBlocker, ExecutableDirBlocker } from './blockers.js';
import { RebootController } from './controller.js';
import { FleetLockRebootLock } from './fleetlock-lock.js';
import type { FlowStore } from './flow-store.js';
import { GrpcRebootLock } from './grpc-lock.js';
import { ConditionsHealth, ExecutableHealth } from './health.js';
import { hookRunner } from './hooks.js';
import { withRouting } from '../net/agent-wiring.js';
import type { Drainer, RebootLock } from './ports.js';
import { createHost } from './sandbox-wiring.js';

export interface RebootDeps {
  runner: CommandRunner;
  registry: Registry;
  log: Logger;
  tls: TlsMaterial | undefined;
  client: CoordinatorClient;
  conditions: ConditionHub;
  backend: OsBackend;
  status: ReturnType<typeof cachedStatus>;
  store: FlowStore;
  drainer?: Drainer;
  manager?: UnitManager;
  /** The fleet's remediation: a reboot it asks for, and the condition that reboot is to repair. */
  remediation?: { requestedReboot(): string; excusedConditions(): string[] };
  onSandboxReboot?: () => void;
  /** Node config: kernel arguments (or a config that asks for it) staged, waiting for a reboot. */
  configRebootPending?: () => boolean;
  /** Routed pod network: withdrawn after the pre-reboot hooks (before the drain), announced after the post-reboot ones. */
  podRoutes?: { withdraw(): Promise<void>; announceAgain(): Promise<void> };
}

export async function createRebootController(config: AgentConfig, deps: RebootDeps): Promise<RebootController> {
  const { reboot, paths } = config;
  const { runner, client, conditions, log } = deps;
  const lock: RebootLock =
    reboot.lockApi === 'grpc' ? new GrpcRebootLock(client, reboot.lockGroup) : new FleetLockRebootLock(reboot.fleetLockUrl!, config.nodeId, reboot.lockGroup, deps.tls);
  // The rebooter asks again right before rebooting: a re-entrant acquire that grants means this node holds the slot now.
  const lockHeld = async () => (await lock.acquire()).granted;
  const host = await createHost({
    reboot,
    backend: deps.backend,
    status: () => deps.status.get(),
    lockHeld,
    ...(deps.manager ? { manager: deps.manager } : {}),
    ...(deps.onSandboxReboot ? { onSandboxReboot: deps.onSandboxReboot } : {}),
    log,
  });
  const healthDirs = async (): Promise<string[]> => {
    const root = await host.imageRoot();
    return root === undefined ? paths.healthDirs().slice(0, 1) : paths.healthDirs(root);
  };
  const hookEnv = { HOSTPILOT_NODE_ID: config.nodeId };
  const excused = () => deps.remediation?.excusedConditions() ?? [];
  return new RebootController({
    os: deps.status.backend,
    lock,
    rebooter: host.rebooter,
    blockers: [new ConditionsBlocker(() => conditions.all(), excused), new ExecutableDirBlocker(runner, paths.blockersDir, reboot.hookTimeoutMs)],
    health: [new ConditionsHealth(() => conditions.all(), excused), new ExecutableHealth(runner, healthDirs, reboot.hookTimeoutMs)],
    preReboot: withRouting(hookRunner(runner, paths.preRebootDir, reboot.hookTimeoutMs, hookEnv), deps.podRoutes && (() => deps.podRoutes!.withdraw())),
    postReboot: withRouting(hookRunner(runner, paths.postRebootDir, reboot.hookTimeoutMs, hookEnv), deps.podRoutes && (() => deps.podRoutes!.announceAgain())),
    ...(deps.drainer ? { drainer: deps.drainer } : {}),
    store: deps.store,
    bootId: host.bootId,
    rebootRequired: () => existsSync(reboot.rebootRequiredFile) || (deps.configRebootPending?.() ?? false),
    ...(deps.remediation ? { remediation: () => deps.remediation!.requestedReboot() } : {}),
    windows: reboot.windows,
    healthTimeoutMs: reboot.healthTimeoutMs,
    retryDelayMs: reboot.retryDelayMs,
    report: () => client.reportNow(),
    now: Date.now,
    log: log.child({ area: 'reboot' }),
    registry: deps.registry,
  });
}
