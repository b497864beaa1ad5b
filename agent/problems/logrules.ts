// Pure core of the system log monitors: a parsed log line goes into the
// monitor's buffer and through its rules. Temporary rules become events,
// permanent rules set their condition. No I/O here.
import type { LogMonitorConfig } from './logmonitor-config.js';
import { LogBuffer } from './logbuffer.js';
import type { MonitorSink } from './types.js';

export interface LogLine {
  /** Epoch ms, when the source says. */
  timestamp?: number;
  message: string;
}

/** Messages longer than this are cut before matching: a pattern sees the first 4 KiB. */
export const MAX_MESSAGE_CHARS = 4096;

export class LogRuleEngine {
  private readonly buffer: LogBuffer;
  /** Lines skipped because they are older than `lookback`. */
  skippedOld = 0;

  constructor(
    private readonly cfg: LogMonitorConfig,
    private readonly sink: MonitorSink,
    /** Lines timestamped before this (epoch ms) are skipped: `lookback` from start, or undefined. */
    private readonly notBefore: number | undefined,
  ) {
    this.buffer = new LogBuffer(cfg.bufferSize);
  }

  process(line: LogLine): void {
    if (this.notBefore !== undefined && line.timestamp !== undefined && line.timestamp < this.notBefore) {
      this.skippedOld += 1;
      return;
    }
    const message = line.message.length > MAX_MESSAGE_CHARS ? line.message.slice(0, MAX_MESSAGE_CHARS) : line.message;
    this.buffer.push(message);
    for (const rule of this.cfg.rules) {
      const matched = this.buffer.match(rule.pattern);
      if (!matched) continue;
      const text = matched.join('\n');
      if (rule.kind === 'temporary') this.sink.event(this.cfg.source, rule.reason, text);
      else this.sink.update({ source: this.cfg.source, type: rule.condition!, status: true, reason: rule.reason, message: text });
    }
  }
}
