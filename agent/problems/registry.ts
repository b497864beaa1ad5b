// Monitor types by NPD's `plugin` name (STYLE.md practice 7): a config file
// names its plugin, the registry builds the monitor.
import type { CommandRunner } from '../../common/exec/runner.js';
import type { SpawnStream } from '../../common/exec/stream.js';
import type { Logger } from '../../common/log.js';
import { BuiltinMonitor, type BuiltinInputs } from './builtin.js';
import type { MonitorConfig } from './config.js';
import { CustomPluginMonitor } from './custom.js';
import { SystemLogMonitor } from './logmonitor.js';
import type { Clock, Monitor } from './types.js';

export interface MonitorDeps {
  clock: Clock;
  logger: Logger;
  runner: CommandRunner;
  spawnStream: SpawnStream;
  bootTimeMs(): number;
  builtinInputs?: BuiltinInputs;
  pollMs?: number;
}

export type MonitorFactory = (cfg: MonitorConfig, deps: MonitorDeps) => Monitor;

export class MonitorRegistry {
  private readonly factories = new Map<string, MonitorFactory>();

  register(plugin: string, factory: MonitorFactory): this {
    this.factories.set(plugin, factory);
    return this;
  }

  plugins(): string[] {
    return [...this.factories.keys()].sort();
  }

  create(cfg: MonitorConfig, deps: MonitorDeps): Monitor {
    const f = this.factories.get(cfg.plugin);
    if (!f) throw new Error(`no monitor registered for plugin ${cfg.plugin}`);
    return f(cfg, deps);
  }
}

export function defaultMonitorRegistry(): MonitorRegistry {
  const log: MonitorFactory = (cfg, deps) => new SystemLogMonitor(cfg as Extract<MonitorConfig, { plugin: 'kmsg' | 'journald' | 'filelog' }>, deps);
  return new MonitorRegistry()
    .register('kmsg', log)
    .register('journald', log)
    .register('filelog', log)
    .register('custom', (cfg, deps) => new CustomPluginMonitor(cfg as Extract<MonitorConfig, { plugin: 'custom' }>, deps))
    .register('builtin', (cfg, deps) => new BuiltinMonitor(cfg as Extract<MonitorConfig, { plugin: 'builtin' }>, { runner: deps.runner, logger: deps.logger, ...(deps.builtinInputs ? { inputs: deps.builtinInputs } : {}) }));
}
