// Follows the state of a set of units through systemd's PropertiesChanged
// signals, and keeps following when the bus connection drops (dbus restarted,
// systemd re-executed): it reconnects with jittered exponential backoff, adds
// its match rule again and re-reads every unit, so a change missed while the
// bus was gone is still reported.
import { errorMessage } from '../../common/errors.js';
import { type Logger, silentLogger } from '../../common/log.js';
import type { SignalMessage } from './bus.js';
import { NoSuchUnitError } from './errors.js';
import { UnitManager, type UnitState } from './unit-manager.js';
import { validateUnitName } from '../../common/unit-names.js';

const PROPERTIES_CHANGED_RULE =
  "type='signal',sender='org.freedesktop.systemd1',interface='org.freedesktop.DBus.Properties',member='PropertiesChanged',path_namespace='/org/freedesktop/systemd1/unit'";

/** What a watcher reports for a unit: its state, or that systemd does not know it. */
export type WatchedUnit = { name: string; found: true; state: UnitState } | { name: string; found: false };

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

export interface UnitWatcherOptions {
  onChange(unit: WatchedUnit): void;
  onConnection?(connected: boolean): void;
  logger?: Logger;
  backoff?: BackoffOptions;
  /** Injected for tests: jitter in [0, 1). */
  random?: () => number;
}

/** Delay before reconnect attempt `attempt` (0-based): exponential, capped, with up to 50% jitter off. */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const base = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(base * (1 - 0.5 * random()));
}

function fingerprint(u: WatchedUnit): string {
  if (!u.found) return 'not-found';
  const s = u.state;
  return [s.loadState, s.activeState, s.subState, s.result ?? '', s.mainPid ?? '', s.restarts ?? '', s.unitFileState].join('|');
}

export class UnitWatcher {
  private readonly units: Map<string, string>; // object path -> unit name
  private readonly last = new Map<string, string>();
  private readonly backoff: BackoffOptions;
  private readonly random: () => number;
  private readonly logger: Logger;
  private stopped = true;
  private timer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private offs: Array<() => void> = [];
  private refreshing = new Map<string, Promise<void>>();
  private wasConnected = false;

  constructor(
    private readonly manager: UnitManager,
    unitNames: string[],
    private readonly options: UnitWatcherOptions,
  ) {
    this.units = new Map(unitNames.map((n) => [UnitManager.unitPath(validateUnitName(n)), n]));
    this.backoff = options.backoff ?? { initialMs: 200, maxMs: 10_000 };
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? silentLogger;
  }

  /** Starts watching; resolves after the first attempt to connect (success or not: it keeps trying). */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    this.offs.push(this.manager.onSignal((msg) => this.onSignal(msg)));
    this.offs.push(
      this.manager.onDisconnect((err) => {
        if (this.stopped) return;
        this.setConnected(false, err);
        this.schedule();
      }),
    );
    await this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const off of this.offs) off();
    this.offs = [];
  }

  /** The last state seen of each watched unit. */
  snapshot(): WatchedUnit[] {
    return [...this.current.values()];
  }

  private readonly current = new Map<string, WatchedUnit>();

  private setConnected(connected: boolean, err?: Error): void {
    if (connected === this.wasConnected) return;
    this.wasConnected = connected;
    // Once per transition, not once per attempt: a down bus must not flood the log.
    if (connected) this.logger.info('watching units over D-Bus', { address: this.manager.address, units: this.units.size });
    else this.logger.warn('D-Bus connection lost; reconnecting with backoff', { address: this.manager.address, error: err });
    this.options.onConnection?.(connected);
  }

  private schedule(): void {
    if (this.stopped || this.timer) return;
    const delay = backoffDelay(this.attempt++, this.backoff, this.random);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.connect();
    }, delay);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    try {
      const bus = await this.manager.bus();
      await bus.addMatch(PROPERTIES_CHANGED_RULE);
      this.attempt = 0;
      this.setConnected(true);
      await Promise.all([...this.units.values()].map((name) => this.refresh(name)));
    } catch (err) {
      if (this.stopped) return;
      this.logger.debug('D-Bus connect failed', { error: errorMessage(err), attempt: this.attempt });
      if (!this.manager.connected) this.setConnected(false, err instanceof Error ? err : undefined);
      this.schedule();
    }
  }

  private onSignal(msg: SignalMessage): void {
    if (msg.member !== 'PropertiesChanged') return;
    const name = this.units.get(msg.path);
    if (name) void this.refresh(name);
  }

  /** Re-reads a unit; concurrent refreshes of one unit are chained so the last read wins in order. */
  private refresh(name: string): Promise<void> {
    const prev = this.refreshing.get(name) ?? Promise.resolve();
    const next = prev.then(async () => {
      if (this.stopped) return;
      let unit: WatchedUnit;
      try {
        unit = { name, found: true, state: await this.manager.getUnit(name) };
      } catch (err) {
        if (err instanceof NoSuchUnitError) unit = { name, found: false };
        else {
          // Bus trouble: the reconnect path re-reads everything.
          this.logger.debug('reading unit failed', { unit: name, error: err });
          return;
        }
      }
      this.current.set(name, unit);
      const fp = fingerprint(unit);
      if (this.last.get(name) === fp) return;
      this.last.set(name, fp);
      this.options.onChange(unit);
    });
    this.refreshing.set(name, next);
    void next.finally(() => {
      if (this.refreshing.get(name) === next) this.refreshing.delete(name);
    });
    return next;
  }
}
