// The agent's problem detector: loads monitor configs (files, or directories
// of *.json in NPD's format), runs the monitors, and keeps the node's
// conditions. The reboot flow treats any active problem as a blocker and as a
// failed post-boot health check; the report stream sends conditions().
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readBootId } from '../identity.js';
import { fileURLToPath } from 'node:url';
import type { Registry } from 'prom-client';
import type { CommandRunner } from '../../common/exec/runner.js';
import { spawnStream as realSpawnStream, type SpawnStream } from '../../common/exec/stream.js';
import { InvalidArgumentError, errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import type { BuiltinInputs } from './builtin.js';
import { loadMonitorFile, type MonitorConfig } from './config.js';
import { ConditionManager, type ConditionListener, type EventListener } from './conditions.js';
import { readBootTimeMs } from './logmonitor.js';
import { defaultMonitorRegistry, type MonitorRegistry } from './registry.js';
import { isProblem } from '../../common/api/conditions.js';
import { systemClock, type Clock, type Condition, type Monitor, type ProblemEvent } from './types.js';

export interface ProblemDetectorOptions {
  /** Monitor config files, or directories whose *.json files are read in name order (see expandConfigPaths). */
  configPaths: string[];
  /** Configs the caller already loaded from configPaths (the agent loads them in its config step). */
  configs?: MonitorConfig[];
  /** Skip configPaths directories that do not exist (for the default layered directories). */
  optionalDirs?: boolean;
  runner: CommandRunner;
  registry: Registry;
  logger: Logger;
  clock?: Clock;
  /** Persisted conditions; omit to keep them in memory only. */
  statePath?: string;
  /** Default: /proc/sys/kernel/random/boot_id. */
  bootId?: string;
  spawnStream?: SpawnStream;
  builtinInputs?: BuiltinInputs;
  monitorRegistry?: MonitorRegistry;
  /** File/FIFO/kmsg poll interval. Default 500 ms. */
  pollMs?: number;
  /** clearAfter, coalescing windows and state writes run this often. Default 1 s. */
  tickMs?: number;
  coalesceWindowMs?: number;
  /** Replaces every log monitor's logPath (`problems run --log-path`: replay a saved log). */
  logPathOverride?: string;
}

/** The monitors hostpilot ships (kernel log, built-in checks), for packaging into /usr/lib/hostpilot/monitors.d. */
export const SHIPPED_MONITORS_DIR = fileURLToPath(new URL('./defaults/', import.meta.url));

/**
 * Files are taken as given. Directories contribute their *.json files, merged
 * by name across directories: a later directory's file replaces an earlier
 * one of the same name, and an empty file (or a link to /dev/null) masks it.
 * With `optional`, a missing directory is skipped.
 */
export function expandConfigPaths(paths: readonly string[], opts: { optional?: boolean } = {}): string[] {
  const byName = new Map<string, string>();
  const files: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch (err) {
      if (opts.optional && (err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new InvalidArgumentError(p, `cannot read: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`);
    }
    if (!st.isDirectory()) {
      files.push(p);
      continue;
    }
    for (const name of readdirSync(p)) if (name.endsWith('.json')) byName.set(name, join(p, name));
  }
  const fromDirs = [...byName.keys()]
    .sort()
    .map((n) => byName.get(n)!)
    .filter((f) => statSync(f).size > 0);
  return [...fromDirs, ...files];
}

/** Loads and validates every config; two monitors with the same source, or two defining one condition type, are refused. */
export function loadMonitorConfigs(paths: readonly string[], opts: { optional?: boolean } = {}): MonitorConfig[] {
  const configs = expandConfigPaths(paths, opts).map((f) => loadMonitorFile(f));
  const sources = new Map<string, string>();
  const types = new Map<string, string>();
  for (const c of configs) {
    const other = sources.get(c.source);
    if (other) throw new InvalidArgumentError(`${c.file}: source`, `${c.source} is also the source of ${other}`);
    sources.set(c.source, c.file ?? '');
    for (const def of c.conditions) {
      const o = types.get(def.type);
      if (o) throw new InvalidArgumentError(`${c.file}: conditions`, `condition ${def.type} is also defined by ${o}`);
      types.set(def.type, c.file ?? c.source);
    }
  }
  return configs;
}

export { readBootId };

export class ProblemDetector {
  readonly configs: MonitorConfig[];
  private readonly manager: ConditionManager;
  private readonly monitors: Monitor[];
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(private readonly opts: ProblemDetectorOptions) {
    this.configs = opts.configs ?? loadMonitorConfigs(opts.configPaths, { optional: opts.optionalDirs ?? false });
    if (opts.logPathOverride) {
      for (const c of this.configs) if (c.plugin === 'kmsg' || c.plugin === 'filelog' || c.plugin === 'journald') c.logPath = opts.logPathOverride;
    }
    const clock = opts.clock ?? systemClock;
    this.manager = new ConditionManager({
      clock,
      registry: opts.registry,
      logger: opts.logger,
      bootId: opts.bootId ?? readBootId(),
      ...(opts.statePath ? { statePath: opts.statePath } : {}),
      ...(opts.coalesceWindowMs !== undefined ? { coalesceWindowMs: opts.coalesceWindowMs } : {}),
    });
    for (const c of this.configs) this.manager.define(c);
    this.manager.restore();
    const registry = opts.monitorRegistry ?? defaultMonitorRegistry();
    let bootTime: number | undefined;
    this.monitors = this.configs.map((c) =>
      registry.create(c, {
        clock,
        logger: opts.logger.child({ monitor: c.source }),
        runner: opts.runner,
        spawnStream: opts.spawnStream ?? realSpawnStream,
        bootTimeMs: () => (bootTime ??= readBootTimeMs()),
        ...(opts.builtinInputs ? { builtinInputs: opts.builtinInputs } : {}),
        ...(opts.pollMs !== undefined ? { pollMs: opts.pollMs } : {}),
      }),
    );
  }

  /**
   * Starts every monitor. Resolves once each has completed its first round
   * (custom plugins and checks ran once — which may take up to the slowest
   * plugin's timeout — and log sources had their first read), so a post-boot
   * health check that awaits it judges fresh conditions.
   */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await Promise.all(
      this.monitors.map((m) => m.start(this.manager).catch((err) => this.manager.dropped(m.source, 0, `monitor did not start: ${errorMessage(err)}`))),
    );
    const tick = () => {
      this.manager.tick();
      this.timer = setTimeout(tick, this.opts.tickMs ?? 1000);
    };
    this.timer = setTimeout(tick, this.opts.tickMs ?? 1000);
  }

  /** Each monitor once (log monitors read what their source holds now), then pending events are flushed. */
  async runOnce(): Promise<void> {
    await Promise.all(
      this.monitors.map((m) =>
        m.runOnce(this.manager).catch((err) => this.manager.dropped(m.source, 0, `monitor failed: ${errorMessage(err)}`)),
      ),
    );
    this.manager.tick();
    this.manager.flushEvents();
    this.manager.persist();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await Promise.all(this.monitors.map((m) => m.stop()));
    this.manager.flushEvents();
    this.manager.persist();
  }

  /** Runs clearAfter, coalescing windows and state writes now (tests and --once). */
  tick(): void {
    this.manager.tick();
  }

  conditions(): Condition[] {
    return this.manager.conditions();
  }

  /** Conditions that are problems now (status true, including checks that could not tell). */
  activeProblems(): Condition[] {
    return this.manager.conditions().filter(isProblem);
  }

  events(): ProblemEvent[] {
    return this.manager.events();
  }

  onChange(listener: ConditionListener): () => void {
    return this.manager.onChange(listener);
  }

  onEvent(listener: EventListener): () => void {
    return this.manager.onEvent(listener);
  }
}
