// Splits a byte stream into lines with a cap on line length, so a source that
// never sends a newline cannot grow memory without bound. What is cut is
// counted, never silently lost.

export class LineSplitter {
  private partial: Buffer[] = [];
  private partialBytes = 0;
  /** True while skipping the rest of an over-long line. */
  private skipping = false;
  /** Lines cut short because they passed maxLineBytes. */
  truncatedLines = 0;

  constructor(private readonly maxLineBytes: number) {}

  push(chunk: Buffer, emit: (line: string) => void): void {
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(10, start);
      const end = nl < 0 ? chunk.length : nl;
      if (!this.skipping) {
        const room = this.maxLineBytes - this.partialBytes;
        const piece = chunk.subarray(start, Math.min(end, start + room));
        if (piece.length > 0) {
          this.partial.push(piece);
          this.partialBytes += piece.length;
        }
        if (end - start > room) {
          // Over-long: emit what fits now, drop the rest up to the newline.
          this.truncatedLines += 1;
          emit(this.take());
          this.skipping = true;
        }
      }
      if (nl < 0) {
        // The caller may reuse its buffer: keep our own copy of the unfinished line.
        const last = this.partial.length - 1;
        if (last >= 0 && this.partial[last]!.buffer === chunk.buffer) this.partial[last] = Buffer.from(this.partial[last]!);
        break;
      }
      if (this.skipping) this.skipping = false;
      else emit(this.take());
      start = nl + 1;
    }
  }

  /** The unterminated tail, at end of input. */
  flush(emit: (line: string) => void): void {
    if (this.partialBytes > 0 && !this.skipping) emit(this.take());
    this.take();
    this.skipping = false;
  }

  private take(): string {
    const text = Buffer.concat(this.partial, this.partialBytes).toString('utf8');
    this.partial = [];
    this.partialBytes = 0;
    return text.endsWith('\r') ? text.slice(0, -1) : text;
  }
}
