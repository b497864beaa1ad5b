// UnitManager: systemd's org.freedesktop.systemd1.Manager over the system bus,
// the calls systemctl makes, with jobs awaited to their JobRemoved signal.
//
// The connection is made lazily and made again on the next call after it
// drops (dbus restarted, systemd re-executed): a call fails with an
// UnavailableError while the bus is gone, and works again once it is back.
import { EventEmitter } from 'node:events';
import { InvalidArgumentError, UnavailableError, errorMessage } from '../../common/errors.js';
import { type Bus, type SignalMessage, connectBus, resolveBusAddress } from './bus.js';
import { JobFailedError, NoSuchUnitError } from './errors.js';
import { unitObjectPath, validateUnitName } from '../../common/unit-names.js';

const SYSTEMD = 'org.freedesktop.systemd1';
const MANAGER_PATH = '/org/freedesktop/systemd1';
const MANAGER = 'org.freedesktop.systemd1.Manager';
const PROPERTIES = 'org.freedesktop.DBus.Properties';
const UNIT_IFACE = 'org.freedesktop.systemd1.Unit';
const SERVICE_IFACE = 'org.freedesktop.systemd1.Service';

export interface UnitSummary {
  name: string;
  description: string;
  loadState: string;
  activeState: string;
  subState: string;
}

export interface UnitState extends UnitSummary {
  /** enabled, disabled, static, masked, ... ("" for units without a file). */
  unitFileState: string;
  /** When ActiveState/SubState last changed, or null if never. */
  since: Date | null;
  /** Services only: "success", "exit-code", "signal", "timeout", "watchdog", ... */
  result?: string;
  /** Services only: 0 when not running. */
  mainPid?: number;
  /** Services only: restarts systemd made under Restart= since the unit was loaded. */
  restarts?: number;
}

export type JobMode = 'replace' | 'fail' | 'isolate' | 'ignore-dependencies' | 'ignore-requirements';
export type UnitAction = 'start' | 'stop' | 'restart' | 'reload' | 'try-restart';

const ACTION_METHOD: Record<UnitAction, string> = {
  start: 'StartUnit',
  stop: 'StopUnit',
  restart: 'RestartUnit',
  reload: 'ReloadUnit',
  'try-restart': 'TryRestartUnit',
};

export interface JobOutcome {
  unit: string;
  action: UnitAction;
  job: string;
  /** Always "done" when returned; other results throw JobFailedError. */
  result: string;
}

export interface UnitFileChange {
  /** symlink, unlink, masked, unmasked, ... */
  type: string;
  path: string;
  source: string;
}

export interface UnitManagerOptions {
  /** Explicit bus address; else DBUS_SYSTEM_BUS_ADDRESS, else the standard socket. */
  busAddress?: string;
  env?: NodeJS.ProcessEnv;
  /** How long a start/stop/... job may take. Default 5 min (systemd's own default start timeout is 90 s per unit). */
  jobTimeoutMs?: number;
  /** Reply timeout of ordinary calls. Default 25 s. */
  callTimeoutMs?: number;
  /** For tests: how to connect. */
  connect?: (address: string) => Promise<Bus>;
}

interface JobRemoved {
  job: string;
  unit: string;
  result: string;
}

export class UnitManager {
  readonly address: string;
  private current: Bus | undefined;
  private connecting: Promise<Bus> | undefined;
  private readonly events = new EventEmitter();
  private readonly jobTimeoutMs: number;
  private readonly callTimeoutMs: number;
  private readonly connectFn: (address: string) => Promise<Bus>;
  private closedByUs = false;

  constructor(options: UnitManagerOptions = {}) {
    this.address = resolveBusAddress(options.busAddress, options.env ?? process.env);
    this.jobTimeoutMs = options.jobTimeoutMs ?? 300_000;
    this.callTimeoutMs = options.callTimeoutMs ?? 25_000;
    this.connectFn = options.connect ?? ((a) => connectBus(a));
    this.events.setMaxListeners(0);
  }

  /** The live connection, made (again) if needed, subscribed to systemd's signals. */
  async bus(): Promise<Bus> {
    if (this.closedByUs) throw new UnavailableError('unit manager closed');
    if (this.current && !this.current.closed) return this.current;
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async open(): Promise<Bus> {
    const bus = await this.connectFn(this.address);
    try {
      // systemd only sends unit and job signals while some client is subscribed.
      await bus.call({ destination: SYSTEMD, path: MANAGER_PATH, interface: MANAGER, member: 'Subscribe', timeoutMs: this.callTimeoutMs });
      await bus.addMatch(`type='signal',sender='${SYSTEMD}',path='${MANAGER_PATH}',interface='${MANAGER}',member='JobRemoved'`);
    } catch (err) {
      bus.close();
      throw err;
    }
    bus.onSignal((msg) => this.events.emit('signal', msg));
    bus.onClose((err) => this.events.emit('disconnect', err));
    this.current = bus;
    this.events.emit('connect', bus);
    return bus;
  }

  /** Called with each new connection (after a drop too): re-add match rules there. */
  onConnect(listener: (bus: Bus) => void): () => void {
    this.events.on('connect', listener);
    return () => this.events.off('connect', listener);
  }

  onDisconnect(listener: (err?: Error) => void): () => void {
    this.events.on('disconnect', listener);
    return () => this.events.off('disconnect', listener);
  }

  onSignal(listener: (msg: SignalMessage) => void): () => void {
    this.events.on('signal', listener);
    return () => this.events.off('signal', listener);
  }

  get connected(): boolean {
    return !!this.current && !this.current.closed;
  }

  close(): void {
    this.closedByUs = true;
    this.current?.close();
  }

  private async managerCall(member: string, signature: string, body: unknown[], unit?: string, timeoutMs?: number): Promise<unknown[]> {
    const bus = await this.bus();
    return bus.call({ destination: SYSTEMD, path: MANAGER_PATH, interface: MANAGER, member, signature, body, unit, timeoutMs: timeoutMs ?? this.callTimeoutMs });
  }

  /** Units systemd has loaded, optionally filtered by active/load/sub states and glob patterns (as `systemctl list-units`). */
  async listUnits(filter: { states?: string[]; patterns?: string[] } = {}): Promise<UnitSummary[]> {
    for (const s of filter.states ?? []) {
      if (!/^[a-z-]{1,32}$/.test(s)) throw new InvalidArgumentError('states', `${JSON.stringify(s.slice(0, 40))} is not a unit state`);
    }
    for (const p of filter.patterns ?? []) {
      if (!/^[A-Za-z0-9:_.\\@*?[\]-]{1,255}$/.test(p)) throw new InvalidArgumentError('patterns', `${JSON.stringify(p.slice(0, 80))} is not a unit name pattern`);
    }
    const [rows] = await this.managerCall('ListUnitsByPatterns', 'asas', [filter.states ?? [], filter.patterns ?? []]);
    return (rows as unknown[][]).map((r) => ({
      name: String(r[0]),
      description: String(r[1]),
      loadState: String(r[2]),
      activeState: String(r[3]),
      subState: String(r[4]),
    }));
  }

  /** A unit's state; NoSuchUnitError when systemd has no such unit (no unit file, not loaded). */
  async getUnit(name: string): Promise<UnitState> {
    validateUnitName(name);
    const [path] = await this.managerCall('LoadUnit', 's', [name], name);
    const bus = await this.bus();
    const unit = await getAll(bus, String(path), UNIT_IFACE, name, this.callTimeoutMs);
    if (unit.LoadState === 'not-found') throw new NoSuchUnitError(name);
    const state: UnitState = {
      name,
      description: str(unit.Description),
      loadState: str(unit.LoadState),
      activeState: str(unit.ActiveState),
      subState: str(unit.SubState),
      unitFileState: str(unit.UnitFileState),
      since: usecToDate(unit.StateChangeTimestamp),
    };
    if (name.endsWith('.service') && unit.LoadState === 'loaded') {
      const svc = await getAll(bus, String(path), SERVICE_IFACE, name, this.callTimeoutMs);
      state.result = str(svc.Result);
      state.mainPid = Number(svc.MainPID ?? 0);
      state.restarts = Number(svc.NRestarts ?? 0);
    }
    return state;
  }

  start(name: string, mode: JobMode = 'replace'): Promise<JobOutcome> {
    return this.job('start', name, mode);
  }
  stop(name: string, mode: JobMode = 'replace'): Promise<JobOutcome> {
    return this.job('stop', name, mode);
  }
  restart(name: string, mode: JobMode = 'replace'): Promise<JobOutcome> {
    return this.job('restart', name, mode);
  }
  reload(name: string, mode: JobMode = 'replace'): Promise<JobOutcome> {
    return this.job('reload', name, mode);
  }
  tryRestart(name: string, mode: JobMode = 'replace'): Promise<JobOutcome> {
    return this.job('try-restart', name, mode);
  }

  /**
   * Queues the job and waits for its JobRemoved. The listener is in place
   * before the call, since a quick job can finish before its reply arrives.
   */
  async job(action: UnitAction, name: string, mode: JobMode = 'replace'): Promise<JobOutcome> {
    validateUnitName(name);
    const bus = await this.bus();
    const seen = new Map<string, JobRemoved>();
    let waiter: ((r: JobRemoved) => void) | undefined;
    let jobPath: string | undefined;
    const off = bus.onSignal((msg) => {
      if (msg.interface !== MANAGER || msg.member !== 'JobRemoved') return;
      const removed = { job: String(msg.body[1]), unit: String(msg.body[2]), result: String(msg.body[3]) };
      if (jobPath === undefined) seen.set(removed.job, removed);
      else if (removed.job === jobPath) waiter?.(removed);
    });
    try {
      const [path] = await bus.call({
        destination: SYSTEMD,
        path: MANAGER_PATH,
        interface: MANAGER,
        member: ACTION_METHOD[action],
        signature: 'ss',
        body: [name, mode],
        unit: name,
        timeoutMs: this.callTimeoutMs,
      });
      jobPath = String(path);
      const removed =
        seen.get(jobPath) ??
        (await new Promise<JobRemoved>((resolve, reject) => {
          const timer = setTimeout(() => {
            offClose();
            reject(new UnavailableError(`${action} ${name}: job ${jobPath} still running after ${this.jobTimeoutMs} ms`));
          }, this.jobTimeoutMs);
          const offClose = bus.onClose((err) => {
            clearTimeout(timer);
            offClose();
            reject(new UnavailableError(`${action} ${name}: bus dropped while waiting for job ${jobPath}: ${errorMessage(err)}`));
          });
          waiter = (r) => {
            clearTimeout(timer);
            offClose();
            resolve(r);
          };
        }));
      if (removed.result !== 'done') throw new JobFailedError(name, `${action} job ${jobPath}`, removed.result);
      return { unit: name, action, job: jobPath, result: removed.result };
    } finally {
      off();
    }
  }

  async enable(names: string[]): Promise<UnitFileChange[]> {
    names.forEach((n) => validateUnitName(n));
    const [, changes] = await this.managerCall('EnableUnitFiles', 'asbb', [names, false, false], names[0]);
    return toChanges(changes);
  }

  async disable(names: string[]): Promise<UnitFileChange[]> {
    names.forEach((n) => validateUnitName(n));
    const [changes] = await this.managerCall('DisableUnitFiles', 'asb', [names, false], names[0]);
    return toChanges(changes);
  }

  async mask(names: string[]): Promise<UnitFileChange[]> {
    names.forEach((n) => validateUnitName(n));
    const [changes] = await this.managerCall('MaskUnitFiles', 'asbb', [names, false, false], names[0]);
    return toChanges(changes);
  }

  async unmask(names: string[]): Promise<UnitFileChange[]> {
    names.forEach((n) => validateUnitName(n));
    const [changes] = await this.managerCall('UnmaskUnitFiles', 'asb', [names, false], names[0]);
    return toChanges(changes);
  }

  /** enabled, disabled, static, masked, ...; NoSuchUnitError when there is no unit file. */
  async unitFileState(name: string): Promise<string> {
    validateUnitName(name);
    const [state] = await this.managerCall('GetUnitFileState', 's', [name], name);
    return String(state);
  }

  /** `systemctl daemon-reload`: the reply comes once systemd has reloaded. */
  async daemonReload(): Promise<void> {
    await this.managerCall('Reload', '', [], undefined, Math.max(this.callTimeoutMs, 90_000));
  }

  /** Resets a failed unit (systemctl reset-failed UNIT). */
  async resetFailed(name: string): Promise<void> {
    validateUnitName(name);
    await this.managerCall('ResetFailedUnit', 's', [name], name);
  }

  /** The object path of a unit, for matching its PropertiesChanged signals. */
  static unitPath(name: string): string {
    return unitObjectPath(name);
  }
}

async function getAll(bus: Bus, path: string, iface: string, unit: string, timeoutMs: number): Promise<Record<string, unknown>> {
  const [props] = await bus.call({
    destination: SYSTEMD,
    path,
    interface: PROPERTIES,
    member: 'GetAll',
    signature: 's',
    body: [iface],
    unit,
    timeoutMs,
  });
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries((props ?? {}) as Record<string, { value: unknown }>)) out[k] = v?.value;
  return out;
}

function str(v: unknown): string {
  return v === undefined || v === null ? '' : String(v);
}

function usecToDate(v: unknown): Date | null {
  if (v === undefined || v === null) return null;
  const usec = typeof v === 'bigint' ? v : BigInt(String(v));
  return usec === 0n ? null : new Date(Number(usec / 1000n));
}

function toChanges(raw: unknown): UnitFileChange[] {
  return ((raw ?? []) as unknown[][]).map((c) => ({ type: String(c[0]), path: String(c[1]), source: String(c[2]) }));
}
