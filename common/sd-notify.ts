// sd_notify(3) without a native addon. Node has no AF_UNIX datagram sockets,
// so each message is sent by systemd's own `systemd-notify` through the one
// command runner. systemd-notify (v246+) waits on a barrier until systemd has
// processed the message, so the short-lived sender cannot race systemd's
// look-up of who sent it.
//
// Who may send: as root, `--pid=<our pid>` makes the message carry our pid in
// its credentials, so `NotifyAccess=main` works. An unprivileged process cannot
// forge credentials: the message then comes from the systemd-notify child, and
// its unit needs `NotifyAccess=all`.
//
// Everything is a no-op when NOTIFY_SOCKET is unset (not started by systemd,
// or a Type= that does not listen).
import type { CommandRunner } from './exec/runner.js';
import { errorMessage } from './errors.js';
import { type Logger, silentLogger } from './log.js';

export interface SdNotifierOptions {
  runner: CommandRunner;
  env?: NodeJS.ProcessEnv;
  pid?: number;
  uid?: number;
  logger?: Logger;
  /** Injected for tests. */
  setTimer?: (fn: () => void, ms: number) => { cancel(): void };
}

export interface WatchdogHandle {
  /** The ping interval in ms (half of WATCHDOG_USEC), or undefined when systemd expects no pings. */
  readonly intervalMs: number | undefined;
  stop(): void;
}

/** Pure: the watchdog ping interval for this process, from WATCHDOG_USEC / WATCHDOG_PID, or undefined. */
export function watchdogIntervalMs(env: NodeJS.ProcessEnv, pid: number): number | undefined {
  const usecText = env.WATCHDOG_USEC;
  if (!usecText || !/^\d+$/.test(usecText)) return undefined;
  // WATCHDOG_PID names the process the watchdog is meant for; a child that inherited the variables must not ping.
  if (env.WATCHDOG_PID && env.WATCHDOG_PID !== String(pid)) return undefined;
  const usec = Number(usecText);
  if (usec <= 0) return undefined;
  // sd_watchdog_enabled(3) recommends pinging at half the timeout.
  return Math.max(1, Math.floor(usec / 2000));
}

/** Keeps one line of `KEY=VALUE`: no newlines may end up inside a notify message field. */
function field(key: string, value: string): string {
  return `${key}=${value.replace(/[\r\n]+/g, ' ').slice(0, 1000)}`;
}

export class SdNotifier {
  private readonly env: NodeJS.ProcessEnv;
  private readonly pid: number;
  private readonly uid: number;
  private readonly logger: Logger;
  private readonly setTimer: (fn: () => void, ms: number) => { cancel(): void };

  constructor(private readonly options: SdNotifierOptions) {
    this.env = options.env ?? process.env;
    this.pid = options.pid ?? process.pid;
    this.uid = options.uid ?? process.getuid?.() ?? -1;
    this.logger = options.logger ?? silentLogger;
    this.setTimer =
      options.setTimer ??
      ((fn, ms) => {
        const t = setTimeout(fn, ms);
        t.unref();
        return { cancel: () => clearTimeout(t) };
      });
  }

  /** True when a service manager listens for our notifications. */
  get enabled(): boolean {
    return !!this.env.NOTIFY_SOCKET;
  }

  /** Sends raw `KEY=VALUE` assignments. Errors are returned as false and logged, never thrown: notification is best effort. */
  async notify(assignments: string[]): Promise<boolean> {
    const socket = this.env.NOTIFY_SOCKET;
    if (!socket) return false;
    const argv = ['systemd-notify', ...(this.uid === 0 ? [`--pid=${this.pid}`] : []), ...assignments];
    try {
      await this.options.runner.run({ argv, env: { NOTIFY_SOCKET: socket }, timeoutMs: 10_000, maxOutputBytes: 16 * 1024 });
      return true;
    } catch (err) {
      this.logger.warn('sd_notify failed', { assignments, error: errorMessage(err) });
      return false;
    }
  }

  /** READY=1: the service is up (for Type=notify, systemd marks it active now). */
  ready(status?: string): Promise<boolean> {
    return this.notify(['READY=1', ...(status ? [field('STATUS', status)] : [])]);
  }

  /** STOPPING=1: shutdown has begun. */
  stopping(status?: string): Promise<boolean> {
    return this.notify(['STOPPING=1', ...(status ? [field('STATUS', status)] : [])]);
  }

  status(text: string): Promise<boolean> {
    return this.notify([field('STATUS', text)]);
  }

  /** One WATCHDOG=1 ping. */
  ping(): Promise<boolean> {
    return this.notify(['WATCHDOG=1']);
  }

  /**
   * Pings at half of WATCHDOG_USEC for as long as `healthy()` holds. When it
   * returns false (or throws) the ping is skipped, so a main loop that is
   * stuck or broken gets the service restarted by systemd's WatchdogSec=.
   * Does nothing when systemd set no watchdog for this process.
   */
  watchdog(healthy: () => boolean | Promise<boolean>): WatchdogHandle {
    const intervalMs = this.enabled ? watchdogIntervalMs(this.env, this.pid) : undefined;
    let stopped = false;
    let timer: { cancel(): void } | undefined;
    let unhealthyLogged = false;
    const tick = async () => {
      if (stopped) return;
      let ok = false;
      try {
        ok = (await healthy()) === true;
      } catch (err) {
        this.logger.warn('watchdog health check threw', { error: errorMessage(err) });
      }
      if (stopped) return;
      if (ok) {
        unhealthyLogged = false;
        await this.ping();
      } else if (!unhealthyLogged) {
        unhealthyLogged = true;
        this.logger.error('unhealthy: withholding watchdog pings; systemd will restart the service', { intervalMs });
      }
      if (!stopped) timer = this.setTimer(() => void tick(), intervalMs!);
    };
    if (intervalMs !== undefined) void tick();
    return {
      intervalMs,
      stop: () => {
        stopped = true;
        timer?.cancel();
      },
    };
  }
}
