// Shared by the node-config tests: a rendered config's JSON and its hash, and
// a NodeConfigAgent over a temp root (real files, a /proc/sys stand-in under
// the root, getent through the real runner).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { renderedHash, type RenderedConfig } from '../../common/api/node-config.js';
import { ProcessRunner, type CommandRunner } from '../../common/exec/runner.js';
import { silentLogger } from '../../common/log.js';
import { ProcSysctl } from '../../agent/net/sysctl.js';
import { NodeConfigAgent } from '../../agent/node-config/agent.js';
import { defaultUnitDir } from '../../agent/node-config/converge.js';
import type { KargsEditor } from '../../agent/node-config/kargs.js';
import { OwnerResolver } from '../../agent/node-config/owners.js';
import { NodeConfigStore } from '../../agent/node-config/state.js';
import { UnitManager } from '../../agent/systemd/unit-manager.js';

export function rendered(over: Partial<RenderedConfig> = {}): RenderedConfig {
  return { sources: ['base'], files: [], units: [], sysctls: {}, kernelArguments: { append: [], delete: [] }, reboot: 'auto', driftPolicy: 'report', ...over };
}

/** A DesiredConfig as the coordinator sends it: the config's JSON and its renderedHash. */
export function desired(config: RenderedConfig, disruption = 'none') {
  return { hash: renderedHash(config), rendered_json: JSON.stringify(config), disruption, rollout_id: 'r1' };
}

/** Sysctl keys as files under <root>/proc/sys, as the kernel has them. */
export function fakeProcSys(root: string, values: Record<string, string>): void {
  for (const [key, value] of Object.entries(values)) {
    const path = join(root, 'proc/sys', ...key.split('.'));
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, `${value}\n`);
  }
}

export interface AgentOptions {
  root: string;
  stateDir: string;
  unitDir?: string;
  busAddress?: string;
  kargs?: KargsEditor;
  runner?: CommandRunner;
  bootId?: () => string;
}

export function nodeConfigAgent(o: AgentOptions): { agent: NodeConfigAgent; registry: Registry; changes: () => number; close: () => void } {
  const registry = new Registry();
  let manager: UnitManager | undefined;
  let changes = 0;
  const agent = new NodeConfigAgent({
    env: {
      root: o.root,
      unitDir: o.unitDir ?? defaultUnitDir(o.root),
      sysctl: new ProcSysctl(join(o.root, 'proc/sys')),
      owners: new OwnerResolver(o.runner ?? new ProcessRunner()),
      manager: () => (manager ??= new UnitManager(o.busAddress ? { busAddress: o.busAddress } : {})),
      ...(o.kargs ? { kargs: o.kargs } : {}),
    },
    store: new NodeConfigStore(join(o.stateDir, 'node-config.json')),
    registry,
    log: silentLogger,
    bootId: o.bootId ?? (() => 'boot-1'),
    onChange: () => void changes++,
  });
  return { agent, registry, changes: () => changes, close: () => manager?.close() };
}

export async function metricValue(registry: Registry, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = await registry.getSingleMetric(name)?.get();
  return metric?.values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val))?.value;
}
