// The system log monitor: NPD's `kmsg`, `journald` and `filelog` plugins. Each
// reads its source (a Tail on a file/FIFO/device, or journalctl), turns lines
// into {timestamp, message} and hands them to the pure LogRuleEngine.
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { CommandRunner } from '../../common/exec/runner.js';
import type { SpawnStream, StreamHandle } from '../../common/exec/stream.js';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import { parseLogMonitorConfig, type LogMonitorConfig } from './logmonitor-config.js';
import type { MonitorPlugin } from './plugin.js';
import { compileGoLayout, parseFilelogLine, type FilelogParser } from './filelog.js';
import { parseKmsgLine } from './kmsg.js';
import { LogRuleEngine, type LogLine } from './logrules.js';
import { Tail } from './tail.js';
import type { Clock, Monitor, MonitorSink } from './types.js';

export interface LogMonitorDeps {
  clock: Clock;
  logger: Logger;
  runner: CommandRunner;
  spawnStream: SpawnStream;
  /** Epoch ms of this boot, to place kmsg's boot-relative timestamps. */
  bootTimeMs(): number;
  /** Poll interval of file/FIFO/kmsg reads. Default 500 ms. */
  pollMs?: number;
  /** Restart delay of a journalctl that exited. Default 10 s. */
  restartDelayMs?: number;
}

export const KMSG_DEVICE = '/dev/kmsg';
const SYSTEM_JOURNAL_DIRS = ['/var/log/journal', '/run/log/journal'];

/**
 * Epoch ms of this boot, from /proc/uptime (10 ms resolution; /proc/stat's
 * btime is whole seconds, which would misplace records by up to a second).
 */
export function readBootTimeMs(procUptime = '/proc/uptime', now = Date.now()): number {
  const uptime = Number(readFileSync(procUptime, 'utf8').split(' ')[0]);
  if (!Number.isFinite(uptime)) throw new Error(`${procUptime}: no uptime`);
  return now - uptime * 1000;
}

export class SystemLogMonitor implements Monitor {
  readonly plugin: string;
  readonly source: string;
  private tail: Tail | undefined;
  private stream: StreamHandle | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private cursor: string | undefined;
  private readonly filelog: FilelogParser | undefined;

  constructor(
    private readonly cfg: LogMonitorConfig,
    private readonly deps: LogMonitorDeps,
  ) {
    this.plugin = cfg.plugin;
    this.source = cfg.source;
    if (cfg.filelog) this.filelog = { timestamp: cfg.filelog.timestamp, message: cfg.filelog.message, layout: compileGoLayout(cfg.filelog.timestampFormat) };
  }

  /** Is the kmsg path the kernel's device (boot-relative timestamps we can place) rather than a replayed file? */
  private isDevice(): boolean {
    try {
      return statSync(this.cfg.logPath).isCharacterDevice();
    } catch {
      return false;
    }
  }

  private notBefore(): number | undefined {
    const now = this.deps.clock.now();
    switch (this.cfg.plugin) {
      // The device holds the whole boot: read it, but keep only `lookback` (none: only new records).
      case 'kmsg':
        return this.isDevice() ? now - this.cfg.lookbackMs : undefined;
      case 'filelog':
      case 'journald':
        return this.cfg.lookbackMs > 0 ? now - this.cfg.lookbackMs : undefined;
    }
  }

  private toLogLine(line: string, bootMs: number | undefined): LogLine | undefined {
    switch (this.cfg.plugin) {
      case 'kmsg': {
        const r = parseKmsgLine(line);
        if (!r) return undefined;
        return bootMs === undefined ? { message: r.message } : { message: r.message, timestamp: bootMs + r.timestampUs / 1000 };
      }
      case 'filelog':
        return parseFilelogLine(line, this.filelog!, this.deps.clock.now());
      case 'journald':
        return this.parseJournalLine(line);
    }
  }

  private parseJournalLine(line: string): LogLine | undefined {
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return undefined;
    }
    if (typeof entry.__CURSOR === 'string') this.cursor = entry.__CURSOR;
    const raw = entry.MESSAGE;
    // journalctl -o json gives non-UTF-8 messages as an array of bytes.
    const message = typeof raw === 'string' ? raw : Array.isArray(raw) ? Buffer.from(raw as number[]).toString('utf8') : undefined;
    if (message === undefined) return undefined;
    const ts = Number(entry.__REALTIME_TIMESTAMP);
    return Number.isFinite(ts) ? { message, timestamp: ts / 1000 } : { message };
  }

  private journalArgv(follow: boolean): string[] {
    const argv = ['journalctl', '-o', 'json', '--no-pager', '-t', this.cfg.journalIdentifier!];
    // journalctl reads the system journal from both /var/log/journal and
    // /run/log/journal by itself; -D would narrow it to one (and miss a
    // volatile journal). Other directories are read with -D if they exist.
    if (!SYSTEM_JOURNAL_DIRS.includes(this.cfg.logPath.replace(/\/+$/, '')) && existsSync(this.cfg.logPath)) argv.push('-D', this.cfg.logPath);
    if (this.cursor) argv.push(`--after-cursor=${this.cursor}`);
    else if (this.cfg.lookbackMs > 0) argv.push(`--since=-${Math.ceil(this.cfg.lookbackMs / 1000)}s`);
    else if (follow) argv.push('-n', '0');
    if (follow) argv.push('-f');
    return argv;
  }

  async start(sink: MonitorSink): Promise<void> {
    this.stopped = false;
    const engine = new LogRuleEngine(this.cfg, sink, this.notBefore());
    if (this.cfg.plugin === 'journald') {
      this.startJournal(engine, sink);
      return;
    }
    const bootMs = this.cfg.plugin === 'kmsg' && this.isDevice() ? this.deps.bootTimeMs() : undefined;
    this.tail = new Tail({
      path: this.cfg.logPath,
      pollMs: this.deps.pollMs ?? 500,
      onLine: (line) => {
        const l = this.toLogLine(line, bootMs);
        if (l) engine.process(l);
      },
      onDropped: (n, why) => sink.dropped(this.source, n, why),
    });
    this.tail.follow(true);
  }

  private startJournal(engine: LogRuleEngine, sink: MonitorSink): void {
    if (this.stopped) return;
    try {
      this.stream = this.deps.spawnStream({
        argv: this.journalArgv(true),
        onLine: (line) => {
          const l = this.parseJournalLine(line);
          if (l) engine.process(l);
        },
        onExit: (exit) => {
          this.stream = undefined;
          sink.dropped(this.source, 0, `journalctl exited (${exit.error ?? `code ${exit.exitCode}, signal ${exit.signal}`}): ${exit.stderr.trim().split('\n').pop() ?? ''}; restarting`);
          this.restartTimer = setTimeout(() => this.startJournal(engine, sink), this.deps.restartDelayMs ?? 10_000);
        },
      });
    } catch (err) {
      sink.dropped(this.source, 0, `cannot start journalctl: ${errorMessage(err)}`);
    }
  }

  async runOnce(sink: MonitorSink): Promise<void> {
    const engine = new LogRuleEngine(this.cfg, sink, this.notBefore());
    if (this.cfg.plugin === 'journald') {
      const res = await this.deps.runner.run({ argv: this.journalArgv(false), timeoutMs: 60_000, maxOutputBytes: 64 * 1024 * 1024 });
      if (res.truncated) sink.dropped(this.source, 0, 'journalctl output passed 64 MiB; the rest was not read');
      for (const line of res.stdout.split('\n')) {
        const l = this.parseJournalLine(line);
        if (l) engine.process(l);
      }
      return;
    }
    const bootMs = this.cfg.plugin === 'kmsg' && this.isDevice() ? this.deps.bootTimeMs() : undefined;
    const tail = new Tail({
      path: this.cfg.logPath,
      pollMs: this.deps.pollMs ?? 100,
      onLine: (line) => {
        const l = this.toLogLine(line, bootMs);
        if (l) engine.process(l);
      },
      onDropped: (n, why) => sink.dropped(this.source, n, why),
    });
    this.tail = tail;
    await tail.readAll();
    this.tail = undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    await this.tail?.stop();
    this.tail = undefined;
    await this.stream?.stop();
    this.stream = undefined;
  }
}

export const logMonitorPlugin: MonitorPlugin<LogMonitorConfig> = {
  names: ['kmsg', 'journald', 'filelog'],
  parse: parseLogMonitorConfig,
  create: (cfg, deps) => new SystemLogMonitor(cfg, deps),
};
