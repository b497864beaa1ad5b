// Coalesces a burst of the same event: the first occurrence of a (source,
// reason) goes out at once, the rest within `windowMs` become one event with a
// count when the window ends. A flood of 5,000 OOM lines a minute thus yields
// about one event a window, and memory holds one entry per (source, reason).
import type { Clock, ProblemEvent, Severity } from './types.js';

interface Entry {
  windowEnd: number;
  pending: number;
  firstPendingAt: number;
  lastMessage: string;
  severity: Severity;
}

export class EventCoalescer {
  private readonly entries = new Map<string, Entry>();
  /** Occurrences folded into a later event (not lost: counted in its `count`). */
  coalesced = 0;

  constructor(
    private readonly windowMs: number,
    private readonly clock: Clock,
    private readonly emit: (ev: ProblemEvent) => void,
    private readonly maxKeys = 10_000,
  ) {}

  add(source: string, reason: string, message: string, severity: Severity = 'warn'): void {
    const now = this.clock.now();
    const key = `${source}\0${reason}`;
    const e = this.entries.get(key);
    if (e && now < e.windowEnd) {
      if (e.pending === 0) e.firstPendingAt = now;
      e.pending += 1;
      e.lastMessage = message;
      this.coalesced += 1;
      return;
    }
    if (e && e.pending > 0) this.flushEntry(key, e, now);
    if (!e && this.entries.size >= this.maxKeys) this.flush(true);
    this.entries.set(key, { windowEnd: now + this.windowMs, pending: 0, firstPendingAt: 0, lastMessage: '', severity });
    this.emit({ source, reason, message, severity, timestamp: now, count: 1 });
  }

  /** Emits the coalesced events of every window that has ended (all of them if `all`). */
  flush(all = false): void {
    const now = this.clock.now();
    for (const [key, e] of this.entries) {
      if (!all && now < e.windowEnd) continue;
      if (e.pending > 0) this.flushEntry(key, e, now);
      else this.entries.delete(key);
    }
  }

  private flushEntry(key: string, e: Entry, now: number): void {
    const [source, reason] = key.split('\0') as [string, string];
    this.emit({ source, reason, message: e.lastMessage, severity: e.severity, timestamp: e.firstPendingAt, count: e.pending });
    // Keep the window open while the burst goes on.
    e.pending = 0;
    e.windowEnd = now + this.windowMs;
  }

  size(): number {
    return this.entries.size;
  }
}
