// Dependency-free types of node-problem detection, after node-problem-detector's
// pkg/types: a monitor watches one source and reports condition updates (from
// permanent rules and checks) and events (from temporary rules) to a sink.
import type { Condition as NodeCondition } from '../../common/api/conditions.js';

/**
 * A node condition (common/api/conditions.ts) owned by a monitor. Status
 * "Unknown": the last check could not tell (a plugin exited 2, timed out or
 * could not start); it counts as a problem: unknown means no.
 */
export interface Condition extends NodeCondition {
  /** The monitor (`source` of its config file) that owns the condition. */
  source: string;
}

export type Severity = 'info' | 'warn';

/** A temporary problem (one occurrence, or several coalesced). */
export interface ProblemEvent {
  source: string;
  reason: string;
  message: string;
  severity: Severity;
  /** Epoch milliseconds of the first occurrence this event stands for. */
  timestamp: number;
  /** How many occurrences this event stands for (> 1 when coalesced). */
  count: number;
}

/** What a permanent rule or a check says about one condition. */
export interface ConditionUpdate {
  source: string;
  type: string;
  status: boolean;
  reason: string;
  message: string;
  unknown?: boolean;
}

export interface MonitorSink {
  /** A permanent rule matched, or a check ran: set the condition. */
  update(update: ConditionUpdate): void;
  /** A temporary rule matched (or a temporary plugin failed). */
  event(source: string, reason: string, message: string): void;
  /** Input the monitor could not keep up with or could not read; always said, never silent. */
  dropped(source: string, count: number, why: string): void;
}

export interface Monitor {
  /** NPD's `plugin` (kmsg, journald, filelog, custom, builtin). */
  readonly plugin: string;
  /** NPD's `source`: the monitor's name. */
  readonly source: string;
  /**
   * Follow the source until stop(). Resolves once the first round has
   * reported (plugins and checks ran once; a log source had its first read).
   */
  start(sink: MonitorSink): Promise<void>;
  /** Read what the source holds now / run each check once, then return. */
  runOnce(sink: MonitorSink): Promise<void>;
  stop(): Promise<void>;
}

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
