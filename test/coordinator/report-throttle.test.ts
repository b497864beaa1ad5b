// One node's report stream under the throttle, on a hand-driven clock: reports
// are applied one at a time in order, the newest waiting one wins, and past
// its rate the stream is paused and the reports counted, then resumed.
import { describe, expect, it } from 'vitest';
import { ReportThrottle, type Clock, type ThrottledStream } from '../../coordinator/fleet/report-throttle.js';

class FakeClock implements Clock {
  t = 0;
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private ids = 0;
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.ids;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  advance(ms: number): void {
    this.t += ms;
    for (const due of this.timers.filter((t) => t.at <= this.t)) {
      this.clearTimeout(due.id);
      due.fn();
    }
  }
}

function harness(options = { ratePerSecond: 10, burst: 3 }) {
  const clock = new FakeClock();
  const applied: number[] = [];
  const events: string[] = [];
  let finish: (() => void) | undefined;
  const counts = { throttled: 0, coalesced: 0 };
  let holdWrites = false;
  const stream: ThrottledStream<number> = {
    apply: (n) => {
      applied.push(n);
      if (!holdWrites) return Promise.resolve();
      return new Promise<void>((resolve) => (finish = resolve));
    },
    pause: () => events.push('pause'),
    resume: () => events.push('resume'),
    onThrottled: () => counts.throttled++,
    onCoalesced: () => counts.coalesced++,
    onError: (err) => events.push(`error ${String(err)}`),
  };
  const throttle = new ReportThrottle(stream, options, clock);
  return {
    clock,
    applied,
    events,
    counts,
    throttle,
    hold: () => (holdWrites = true),
    release: async () => {
      holdWrites = false;
      finish?.();
      await Promise.resolve();
      await Promise.resolve();
    },
  };
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('report throttle', () => {
  it('applies one report at a time; while one is written only the newest waiting one is kept', async () => {
    const h = harness();
    h.hold();
    h.throttle.offer(1);
    h.throttle.offer(2);
    h.throttle.offer(3);
    h.throttle.offer(4);
    expect(h.applied).toEqual([1]);
    expect(h.counts.coalesced).toBe(2);
    await h.release();
    await settle();
    expect(h.applied).toEqual([1, 4]);
    expect(h.counts.throttled).toBe(0);
    expect(h.events).toEqual([]);
  });

  it('past the burst pauses the stream, counts what waits, and applies the newest when a token is back', async () => {
    const h = harness({ ratePerSecond: 10, burst: 3 });
    for (let i = 1; i <= 3; i++) {
      h.throttle.offer(i);
      await settle();
    }
    expect(h.applied).toEqual([1, 2, 3]);
    h.throttle.offer(4);
    h.throttle.offer(5);
    h.throttle.offer(6);
    await settle();
    expect(h.applied).toEqual([1, 2, 3]);
    expect(h.events).toEqual(['pause']);
    expect(h.counts).toEqual({ throttled: 3, coalesced: 2 });
    h.clock.advance(100);
    await settle();
    expect(h.applied).toEqual([1, 2, 3, 6]);
    expect(h.events).toEqual(['pause', 'resume']);
  });

  it('holds a flooding node to its rate: burst plus rate × time', async () => {
    const h = harness({ ratePerSecond: 10, burst: 3 });
    for (let step = 0; step < 100; step++) {
      for (let k = 0; k < 50; k++) h.throttle.offer(step * 50 + k);
      await settle();
      h.clock.advance(10);
      await settle();
    }
    // One second of flood: 5,000 reports offered, at most 3 + 10 applied.
    expect(h.applied.length).toBeLessThanOrEqual(13);
    expect(h.applied.length).toBeGreaterThanOrEqual(10);
    expect([...h.applied].sort((a, b) => a - b)).toEqual(h.applied);
    expect(h.counts.throttled).toBeGreaterThan(4000);
  });

  it('applies nothing after close', async () => {
    const h = harness({ ratePerSecond: 10, burst: 1 });
    h.throttle.offer(1);
    await settle();
    h.throttle.offer(2);
    h.throttle.close();
    h.clock.advance(1000);
    await settle();
    expect(h.applied).toEqual([1]);
  });
});
