// The last `bufferSize` log messages of one monitor, matched the way
// node-problem-detector does: a rule's pattern must match up to the end of the
// buffer (so a pattern may span several lines, ending at the newest one), and
// the event's message is the lines the match covers. Single-line patterns
// (almost all of them) are tried on the newest line only: same answer, and a
// flood costs one short regex test per rule per line.
import type { CompiledPattern } from './pattern.js';

export class LogBuffer {
  private readonly lines: string[] = [];

  constructor(private readonly size: number) {}

  push(message: string): void {
    this.lines.push(message);
    if (this.lines.length > this.size) this.lines.shift();
  }

  /** The matched lines (oldest first), or undefined. */
  match(pattern: CompiledPattern): string[] | undefined {
    const last = this.lines[this.lines.length - 1];
    if (last === undefined) return undefined;
    if (!pattern.multiline) return pattern.regex.test(last) ? [last] : undefined;
    const text = this.lines.join('\n');
    const m = pattern.regex.exec(text);
    if (!m) return undefined;
    // Which line does the match start in?
    let offset = 0;
    for (let i = 0; i < this.lines.length; i++) {
      const end = offset + this.lines[i]!.length;
      if (m.index <= end) return this.lines.slice(i);
      offset = end + 1;
    }
    return [last];
  }
}
