// The monitor plugins by NPD's `plugin` name (docs/architecture.md, "problems"):
// a config file names its plugin; the plugin parses its fields and builds
// the monitor. A new plugin is one module with a MonitorPlugin and a line here.
import { builtinPlugin } from './builtin.js';
import type { BuiltinMonitorConfig } from './builtin-config.js';
import { customPlugin } from './custom.js';
import type { CustomMonitorConfig } from './custom-config.js';
import { logMonitorPlugin } from './logmonitor.js';
import type { LogMonitorConfig } from './logmonitor-config.js';
import type { MonitorDeps, MonitorPlugin } from './plugin.js';
import type { Monitor } from './types.js';

export type { MonitorDeps, MonitorPlugin } from './plugin.js';

export type MonitorConfig = LogMonitorConfig | CustomMonitorConfig | BuiltinMonitorConfig;

// Each plugin is handed only configs its own parse produced (the names match), so widening its config type here is safe.
const PLUGINS = [logMonitorPlugin, customPlugin, builtinPlugin] as unknown as readonly MonitorPlugin<MonitorConfig>[];

export function monitorPlugin(name: string): MonitorPlugin<MonitorConfig> | undefined {
  return PLUGINS.find((p) => p.names.includes(name as MonitorConfig['plugin']));
}

export function monitorPluginNames(): string[] {
  return PLUGINS.flatMap((p) => p.names);
}

export type MonitorFactory = (cfg: MonitorConfig, deps: MonitorDeps) => Monitor;

/** Builds monitors from parsed configs; tests register their own factories. */
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
  const registry = new MonitorRegistry();
  for (const plugin of PLUGINS) for (const name of plugin.names) registry.register(name, (cfg, deps) => plugin.create(cfg, deps));
  return registry;
}
