// The node's conditions: defaults from the monitor configs, updates from
// monitors, clearing (clearAfter, a new boot id), metrics, change listeners,
// and a state file so an agent restart neither flaps nor forgets.
import { readFileSync } from 'node:fs';
import { writeFileAtomicSync } from '../../common/fs.js';
import type { Registry } from 'prom-client';
import { isProblem } from '../../common/api/conditions.js';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import { EventCoalescer } from './coalesce.js';
import { conditionFromJson, conditionJson, type ConditionJson } from './condition-json.js';
import type { ConditionDef, MonitorConfig } from './config.js';
import { problemMetrics, type ProblemMetrics } from './metrics.js';
import type { Clock, Condition, ConditionUpdate, MonitorSink, ProblemEvent, Severity } from './types.js';

export type ConditionListener = (changed: Condition, previous: Condition) => void;
export type EventListener = (event: ProblemEvent) => void;

export interface ConditionManagerOptions {
  clock: Clock;
  registry: Registry;
  logger: Logger;
  bootId: string;
  /** Where conditions persist across agent restarts; none: in memory only. */
  statePath?: string;
  /** Default 60 s. */
  coalesceWindowMs?: number;
  /** Recent events kept for `events()`. Default 200. */
  maxEvents?: number;
}

interface State {
  version: 1;
  bootId: string;
  conditions: (ConditionJson & { lastProblemAt?: number })[];
}

interface Entry {
  def: ConditionDef;
  cond: Condition;
  /** Last time a monitor said it is a problem (for clearAfter). */
  lastProblemAt?: number;
}

const DROP_LOG_INTERVAL_MS = 60_000;

export class ConditionManager implements MonitorSink {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<ConditionListener>();
  private readonly eventListeners = new Set<EventListener>();
  private readonly recent: ProblemEvent[] = [];
  private readonly metrics: ProblemMetrics;
  private readonly coalescer: EventCoalescer;
  private dirty = false;
  private readonly lastDropLog = new Map<string, number>();
  private readonly droppedSince = new Map<string, number>();

  constructor(private readonly opts: ConditionManagerOptions) {
    this.metrics = problemMetrics(opts.registry);
    this.coalescer = new EventCoalescer(opts.coalesceWindowMs ?? 60_000, opts.clock, (ev) => this.publish(ev));
  }

  /** Registers a monitor's conditions at their defaults, and its reasons at 0 in the metrics. */
  define(cfg: MonitorConfig): void {
    const now = this.opts.clock.now();
    for (const def of cfg.conditions) {
      if (!this.entries.has(def.type)) {
        this.entries.set(def.type, { def, cond: { type: def.type, status: 'False', reason: def.reason, message: def.message, lastTransitionTime: now, source: cfg.source } });
      }
      this.metrics.condition.set({ type: def.type, reason: def.reason }, 0);
    }
    if (cfg.plugin !== 'builtin') {
      for (const rule of cfg.rules) {
        this.metrics.problems.inc({ reason: rule.reason }, 0);
        if (rule.condition) this.metrics.condition.set({ type: rule.condition, reason: rule.reason }, 0);
      }
    }
    this.metrics.dropped.inc({ source: cfg.source }, 0);
    this.metrics.coalesced.inc({ source: cfg.source }, 0);
  }

  /**
   * Restores the state file: everything as it was if the boot id is the same
   * (an agent restart), else only conditions with `clearOnReboot: false`. No
   * change is announced: nothing changed.
   */
  restore(): void {
    if (!this.opts.statePath) return;
    let state: State;
    try {
      state = JSON.parse(readFileSync(this.opts.statePath, 'utf8')) as State;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.opts.logger.warn('problem state unreadable; starting from defaults', { path: this.opts.statePath, err: errorMessage(err) });
      return;
    }
    if (state?.version !== 1 || !Array.isArray(state.conditions)) return;
    const sameBoot = state.bootId === this.opts.bootId;
    for (const saved of state.conditions) {
      const cond = conditionFromJson(saved);
      const e = cond && this.entries.get(cond.type);
      if (!cond || !e) continue;
      if (!sameBoot && e.def.clearOnReboot) continue;
      this.setGauge(e.cond, 0);
      e.cond = cond;
      if (saved.lastProblemAt !== undefined) e.lastProblemAt = saved.lastProblemAt;
      this.setGauge(e.cond, isProblem(e.cond) ? 1 : 0);
    }
    if (!sameBoot) {
      this.opts.logger.info('new boot: conditions with clearOnReboot cleared', { bootId: this.opts.bootId });
      this.dirty = true;
      this.persist();
    }
  }

  private setGauge(c: Condition, v: number): void {
    this.metrics.condition.set({ type: c.type, reason: c.reason }, v);
  }

  update(u: ConditionUpdate): void {
    const e = this.entries.get(u.type);
    if (!e) {
      this.opts.logger.warn('update of an undefined condition ignored', { type: u.type, source: u.source });
      return;
    }
    const now = this.opts.clock.now();
    if (u.status) {
      e.lastProblemAt = now;
      if (!u.unknown) this.metrics.problems.inc({ reason: u.reason });
    }
    this.set(e, { type: u.type, status: !u.status ? 'False' : u.unknown ? 'Unknown' : 'True', reason: u.reason, message: u.message, source: u.source }, now);
  }

  private set(e: Entry, next: Omit<Condition, 'lastTransitionTime'>, now: number): void {
    const prev = e.cond;
    const significant = prev.status !== next.status || prev.reason !== next.reason;
    if (!significant) {
      if (prev.message !== next.message) {
        e.cond = { ...prev, message: next.message };
        this.dirty = true;
      }
      return;
    }
    this.setGauge(prev, 0);
    // The time moves when the condition turns into a problem or out of one (True and Unknown both are one).
    e.cond = { ...next, lastTransitionTime: isProblem(prev) !== isProblem(next) ? now : prev.lastTransitionTime };
    this.setGauge(e.cond, isProblem(e.cond) ? 1 : 0);
    this.dirty = true;
    this.persist();
    const severity: Severity = isProblem(next) ? 'warn' : 'info';
    this.coalescer.add(next.source, next.reason, isProblem(next) ? next.message : `${next.type} cleared: ${next.message}`, severity);
    for (const l of this.listeners) {
      try {
        l(e.cond, prev);
      } catch (err) {
        this.opts.logger.error('condition listener failed', { err: errorMessage(err) });
      }
    }
  }

  event(source: string, reason: string, message: string): void {
    this.metrics.problems.inc({ reason });
    const before = this.coalescer.coalesced;
    this.coalescer.add(source, reason, message, 'warn');
    if (this.coalescer.coalesced > before) this.metrics.coalesced.inc({ source });
  }

  dropped(source: string, count: number, why: string): void {
    if (count > 0) this.metrics.dropped.inc({ source }, count);
    const now = this.opts.clock.now();
    const key = `${source}\0${why.replace(/\d+/g, 'N')}`;
    this.droppedSince.set(key, (this.droppedSince.get(key) ?? 0) + count);
    const last = this.lastDropLog.get(key);
    if (last === undefined || now - last >= DROP_LOG_INTERVAL_MS) {
      this.opts.logger.warn('problem monitor fell behind or could not read', { source, why, count: this.droppedSince.get(key) });
      this.lastDropLog.set(key, now);
      this.droppedSince.set(key, 0);
    }
  }

  private publish(ev: ProblemEvent): void {
    this.recent.push(ev);
    if (this.recent.length > (this.opts.maxEvents ?? 200)) this.recent.shift();
    for (const l of this.eventListeners) {
      try {
        l(ev);
      } catch (err) {
        this.opts.logger.error('event listener failed', { err: errorMessage(err) });
      }
    }
  }

  /** Periodic work: clearAfter, ending coalescing windows, writing a dirty state. */
  tick(): void {
    const now = this.opts.clock.now();
    for (const e of this.entries.values()) {
      const after = e.def.clearAfterMs;
      if (after === undefined || e.cond.status !== 'True') continue;
      if (now - (e.lastProblemAt ?? e.cond.lastTransitionTime) >= after) {
        this.set(e, { type: e.def.type, status: 'False', reason: e.def.reason, message: e.def.message, source: e.cond.source }, now);
      }
    }
    this.coalescer.flush();
    this.persist();
  }

  /** Emits every pending coalesced event now (at stop, or the end of a --once run). */
  flushEvents(): void {
    this.coalescer.flush(true);
  }

  persist(): void {
    if (!this.dirty || !this.opts.statePath) return;
    const state: State = {
      version: 1,
      bootId: this.opts.bootId,
      conditions: [...this.entries.values()].map((e) => ({ ...conditionJson(e.cond), ...(e.lastProblemAt !== undefined ? { lastProblemAt: e.lastProblemAt } : {}) })),
    };
    try {
      writeFileAtomicSync(this.opts.statePath, JSON.stringify(state, null, 1) + '\n', { mode: 0o600 });
      this.dirty = false;
    } catch (err) {
      this.opts.logger.error('cannot write problem state', { path: this.opts.statePath, err: errorMessage(err) });
    }
  }

  conditions(): Condition[] {
    return [...this.entries.values()].map((e) => ({ ...e.cond }));
  }

  events(): ProblemEvent[] {
    return [...this.recent];
  }

  pendingCoalesced(): number {
    return this.coalescer.size();
  }

  onChange(listener: ConditionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onEvent(listener: EventListener): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }
}
