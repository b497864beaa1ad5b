// Reads lines from a path that may be a regular file (followed across
// truncation and rotation), a FIFO, or /dev/kmsg (a character device handing
// out one record per read). Non-blocking reads on a timer: nothing waits in
// the thread pool, stop() is immediate, and each tick reads a bounded amount.
// Falling behind is said, never silent: a regular file more than
// `maxBacklogBytes` behind is skipped to its end, and kmsg records the kernel
// overwrote before we read them (EPIPE) are counted.
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { LineSplitter } from '../../common/exec/lines.js';

export interface TailOptions {
  path: string;
  pollMs?: number;
  maxLineBytes?: number;
  /** Per tick. */
  maxBytesPerTick?: number;
  maxBacklogBytes?: number;
  onLine(line: string): void;
  onDropped(count: number, why: string): void;
}

export type PathKind = 'file' | 'fifo' | 'chardev';

const READ_CHUNK = 64 * 1024;

export class Tail {
  private fd: number | undefined;
  private kind: PathKind = 'file';
  private ino = 0;
  private offset = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private sawData = false;
  private readonly splitter: LineSplitter;
  private readonly buf = Buffer.alloc(READ_CHUNK);
  private reportedTruncated = 0;
  /** Drop the first (partial) line after starting mid-file. */
  private skipPartial = false;

  constructor(private readonly opts: TailOptions) {
    this.splitter = new LineSplitter(opts.maxLineBytes ?? 16 * 1024);
  }

  private open(): void {
    this.fd = openSync(this.opts.path, constants.O_RDONLY | constants.O_NONBLOCK);
    const st = fstatSync(this.fd);
    this.kind = st.isFIFO() ? 'fifo' : st.isCharacterDevice() ? 'chardev' : 'file';
    this.ino = st.ino;
    this.offset = 0;
  }

  private close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /**
   * Reads what is there now, up to the budget. Returns 'eof' (nothing more now),
   * 'more' (budget used up) or 'closed' (a FIFO whose writers have gone, after data).
   */
  private drain(budget: number): 'eof' | 'more' | 'closed' {
    let read = 0;
    while (read < budget) {
      let n: number;
      try {
        n = readSync(this.fd!, this.buf, 0, this.buf.length, this.kind === 'file' ? this.offset : null);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') return 'eof';
        if (code === 'EPIPE' && this.kind === 'chardev') {
          // The kernel overwrote records we had not read yet.
          this.opts.onDropped(1, 'kmsg records overwritten before they were read');
          continue;
        }
        throw err;
      }
      if (n === 0) return this.kind === 'fifo' && this.sawData ? 'closed' : 'eof';
      this.sawData = true;
      this.offset += n;
      read += n;
      // A kmsg read is exactly one record without its trailing newline guarantee.
      const chunk = this.buf.subarray(0, n);
      this.splitter.push(chunk, this.emit);
      if (this.kind === 'chardev' && chunk[n - 1] !== 10) this.splitter.push(Buffer.from('\n'), this.emit);
      this.reportTruncated();
    }
    return 'more';
  }

  private readonly emit = (line: string): void => {
    if (this.skipPartial) {
      this.skipPartial = false;
      return;
    }
    this.opts.onLine(line);
  };

  private reportTruncated(): void {
    const t = this.splitter.truncatedLines;
    if (t > this.reportedTruncated) {
      this.opts.onDropped(t - this.reportedTruncated, 'line longer than the cap, cut');
      this.reportedTruncated = t;
    }
  }

  /** For /dev/kmsg: read and discard/handle everything the ring holds now. */
  get pathKind(): PathKind {
    return this.kind;
  }

  /** Reads what the path holds now (for a FIFO: until its writer closes) and returns. */
  async readAll(signal?: AbortSignal): Promise<void> {
    this.open();
    try {
      for (;;) {
        if (signal?.aborted || this.stopped) return;
        const r = this.drain(READ_CHUNK * 16);
        if (r === 'more') continue;
        if (r === 'closed' || this.kind !== 'fifo') break;
        await new Promise((res) => setTimeout(res, this.opts.pollMs ?? 100));
      }
      this.splitter.flush(this.emit);
    } finally {
      this.close();
    }
  }

  /**
   * Follows the path. `fromStart` false skips what a regular file holds now.
   * The first tick runs before this returns, so a caller that wrote
   * before calling sees it processed on the next tick.
   */
  follow(fromStart: boolean): void {
    this.open();
    if (this.kind === 'file') {
      const size = fstatSync(this.fd!).size;
      const max = this.opts.maxBacklogBytes ?? 16 * 1024 * 1024;
      if (!fromStart) this.offset = size;
      else if (size > max) {
        // A big log at start: its tail is what lookback can still want; the
        // rest is old, not "fallen behind". Start mid-file, at a line start.
        this.offset = size - max;
        this.skipPartial = true;
      }
    }
    this.tick();
  }

  private tick(): void {
    if (this.stopped) return;
    try {
      if (this.fd === undefined) this.open();
      if (this.kind === 'file') this.checkRotation();
      this.drain(this.opts.maxBytesPerTick ?? 1024 * 1024);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      this.opts.onDropped(0, `cannot read ${this.opts.path}: ${code ?? (err as Error).message}`);
      this.close();
    }
    this.timer = setTimeout(() => this.tick(), this.opts.pollMs ?? 500);
  }

  private checkRotation(): void {
    let st;
    try {
      st = statSync(this.opts.path);
    } catch {
      return; // Rotated away and not yet recreated: keep reading the old one.
    }
    if (st.ino !== this.ino) {
      // Finish the old file first, then switch.
      this.drain(this.opts.maxBytesPerTick ?? 1024 * 1024);
      this.splitter.flush(this.emit);
      this.close();
      this.open();
      return;
    }
    if (st.size < this.offset) this.offset = 0; // truncated
    const behind = st.size - this.offset;
    const max = this.opts.maxBacklogBytes ?? 16 * 1024 * 1024;
    if (behind > max) {
      this.opts.onDropped(behind, `fell ${behind} bytes behind ${this.opts.path}; skipped to its end`);
      this.offset = st.size;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.close();
  }
}
