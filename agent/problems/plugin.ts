// A monitor plugin, as node-problem-detector's are: it owns its config (the
// fields of a file whose `plugin` names it) and builds its monitor from it.
// registry.ts lists the plugins; nothing else switches over plugin names.
import type { CommandRunner } from '../../common/exec/runner.js';
import type { SpawnStream } from '../../common/exec/stream.js';
import type { Logger } from '../../common/log.js';
import type { BuiltinInputs } from './builtin-config.js';
import type { BaseConfig, PluginInput } from './config-fields.js';
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

export interface MonitorPlugin<C extends BaseConfig & { plugin: string } = BaseConfig & { plugin: string }> {
  /** The `plugin` values it serves (the log monitor serves kmsg, journald and filelog). */
  names: readonly C['plugin'][];
  /** Parses the plugin's own fields; errors name the field. */
  parse(input: PluginInput): C;
  create(config: C, deps: MonitorDeps): Monitor;
}
