// One node's Report stream, rate limited and coalesced. A node that streams
// changing reports as fast as it can made every report a commit and starved
// the lock service (issue 15). Here:
// - reports are applied one at a time, in order; while one is being applied
//   (its write waits for a commit) only the newest waiting report is kept:
//   a node's newest report wins, and state changes never go back in time;
// - a token bucket bounds how often a node's reports are applied; past it the
//   stream is paused, so HTTP/2 flow control slows the sender itself instead
//   of the coordinator decoding what it will drop.
// A normal agent reports on a state change and every heartbeat (10 s), far
// below the rate; only a flooding node is held back, never the fleet.

export interface ThrottleOptions {
  /** Reports a node may have applied per second, sustained. */
  ratePerSecond: number;
  /** Reports a node may have applied at once after a quiet spell. */
  burst: number;
}

export const DEFAULT_REPORT_RATE: ThrottleOptions = { ratePerSecond: 10, burst: 20 };

/** What the stream does for the throttle: apply a report, and stop or restart reading. */
export interface ThrottledStream<T> {
  /** Applies a report; undefined when it was applied at once (a heartbeat), without a promise to wait for. */
  apply(report: T): Promise<void> | undefined;
  pause(): void;
  resume(): void;
  /** A report waits for the node's rate (counted once per report). */
  onThrottled(): void;
  /** A waiting report was replaced by a newer one before it was applied. */
  onCoalesced(): void;
  /** apply failed: the stream ends. */
  onError(err: unknown): void;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export class ReportThrottle<T> {
  private tokens: number;
  private refilledAt: number;
  private waiting: T | undefined;
  private applying = false;
  private timer: unknown;
  private closed = false;

  constructor(
    private readonly stream: ThrottledStream<T>,
    private readonly options: ThrottleOptions = DEFAULT_REPORT_RATE,
    private readonly clock: Clock = systemClock,
  ) {
    this.tokens = options.burst;
    this.refilledAt = clock.now();
  }

  offer(report: T): void {
    if (this.closed) return;
    if (this.waiting !== undefined) this.stream.onCoalesced();
    // Arrived while the node is held at its rate (a few are still buffered when the stream pauses).
    if (this.timer !== undefined) this.stream.onThrottled();
    this.waiting = report;
    this.pump();
  }

  close(): void {
    this.closed = true;
    this.waiting = undefined;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private pump(): void {
    if (this.closed || this.applying || this.timer !== undefined || this.waiting === undefined) return;
    this.refill();
    if (this.tokens < 1) {
      this.stream.onThrottled();
      this.stream.pause();
      const ms = Math.ceil(((1 - this.tokens) * 1000) / this.options.ratePerSecond);
      this.timer = this.clock.setTimeout(() => {
        this.timer = undefined;
        this.stream.resume();
        this.pump();
      }, ms);
      return;
    }
    this.tokens -= 1;
    const report = this.waiting;
    this.waiting = undefined;
    const applying = this.stream.apply(report);
    if (applying === undefined) return;
    this.applying = true;
    applying.then(
      () => {
        this.applying = false;
        this.pump();
      },
      (err: unknown) => {
        this.close();
        this.stream.onError(err);
      },
    );
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.options.burst, this.tokens + ((now - this.refilledAt) * this.options.ratePerSecond) / 1000);
    this.refilledAt = now;
  }
}
