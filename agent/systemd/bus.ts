// One connection to a D-Bus system bus, with what dbus-next leaves out: a
// typed error when the bus cannot be reached, pending calls rejected (instead
// of hanging) when the connection drops, a per-call timeout, and a close event
// so the owner can reconnect.
import { EventEmitter } from 'node:events';
// dbus-next is loaded on the first connection, not at start: it is ~12 MB of RSS, and an
// agent that manages no unit and reboots through the sandbox never talks to the bus.
import type DbusNext from 'dbus-next';
type Dbus = typeof DbusNext;
import { InvalidArgumentError, UnavailableError, errorMessage } from '../../common/errors.js';
import { mapDbusError } from './errors.js';

export const DEFAULT_SYSTEM_BUS = 'unix:path=/run/dbus/system_bus_socket';

/**
 * The address to use: an explicit one (a flag or config), else
 * DBUS_SYSTEM_BUS_ADDRESS (what sd-bus and dbus-next's systemBus() read), else
 * the standard socket. Only unix sockets: the system bus is never TCP.
 */
export function resolveBusAddress(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env, field = 'bus_address'): string {
  const address = explicit ?? env.DBUS_SYSTEM_BUS_ADDRESS ?? DEFAULT_SYSTEM_BUS;
  // A D-Bus address list may name several; the first is the one used.
  const first = address.split(';')[0] ?? '';
  if (!/^unix:(path|abstract)=[^,;\0]+(,[a-z]+=[^,;\0]*)*$/.test(first)) {
    throw new InvalidArgumentError(field, `${JSON.stringify(address.slice(0, 200))} is not a unix D-Bus address (unix:path=/run/dbus/system_bus_socket)`);
  }
  return first;
}

export interface SignalMessage {
  path: string;
  interface: string;
  member: string;
  sender: string;
  body: unknown[];
}

export interface CallOptions {
  destination: string;
  path: string;
  interface: string;
  member: string;
  signature?: string;
  body?: unknown[];
  /** Default 25 s, dbus' own default reply timeout. */
  timeoutMs?: number;
  /** Names the unit for error mapping (NoSuchUnit). */
  unit?: string;
}

/** What the unit manager needs from a bus; a test may hand in its own. */
export interface Bus {
  call(options: CallOptions): Promise<unknown[]>;
  /** Adds a match rule on the bus daemon so matching signals reach us. */
  addMatch(rule: string): Promise<void>;
  onSignal(listener: (msg: SignalMessage) => void): () => void;
  onClose(listener: (err?: Error) => void): () => void;
  readonly closed: boolean;
  close(): void;
}

const DEFAULT_CALL_TIMEOUT_MS = 25_000;

interface Pending {
  reject(err: Error): void;
}

class DbusNextBus implements Bus {
  private readonly events = new EventEmitter();
  private readonly pending = new Set<Pending>();
  closed = false;

  constructor(
    private readonly dbus: Dbus,
    private readonly bus: DbusNext.MessageBus,
    readonly address: string,
  ) {
    this.events.setMaxListeners(0);
    bus.on('message', (msg) => {
      if (msg.type === this.dbus.MessageType.SIGNAL) {
        this.events.emit('signal', { path: msg.path, interface: msg.interface, member: msg.member, sender: msg.sender, body: msg.body });
      }
    });
    // dbus-next reports a dropped stream as 'error' at most, and never fails the
    // calls in flight; watch the socket itself.
    const stream = (bus as unknown as { _connection?: { stream?: EventEmitter } })._connection?.stream;
    stream?.on('close', () => this.markClosed(new UnavailableError(`D-Bus connection to ${address} closed`)));
    bus.on('error', (err: unknown) => this.markClosed(new UnavailableError(`D-Bus connection to ${address}: ${errorMessage(err)}`)));
  }

  private markClosed(err: Error): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.pending) p.reject(err);
    this.pending.clear();
    this.events.emit('close', err);
    try {
      this.bus.disconnect();
    } catch {
      // already gone
    }
  }

  async call(options: CallOptions): Promise<unknown[]> {
    const operation = `${options.interface.split('.').pop()}.${options.member}${options.unit ? `(${options.unit})` : ''}`;
    if (this.closed) throw new UnavailableError(`${operation}: D-Bus connection to ${this.address} is closed`);
    const message = new this.dbus.Message({
      destination: options.destination,
      path: options.path,
      interface: options.interface,
      member: options.member,
      signature: options.signature ?? '',
      body: options.body ?? [],
    });
    const timeoutMs = options.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    return new Promise<unknown[]>((resolve, reject) => {
      const entry: Pending = { reject };
      this.pending.add(entry);
      const timer = setTimeout(() => {
        this.pending.delete(entry);
        reject(new UnavailableError(`${operation}: no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.bus.call(message).then(
        (reply) => {
          clearTimeout(timer);
          this.pending.delete(entry);
          resolve(reply?.body ?? []);
        },
        (err: unknown) => {
          clearTimeout(timer);
          this.pending.delete(entry);
          if (err instanceof this.dbus.DBusError) reject(mapDbusError(err.type, err.text, operation, options.unit));
          else reject(new UnavailableError(`${operation}: ${errorMessage(err)}`));
        },
      );
    });
  }

  async addMatch(rule: string): Promise<void> {
    await this.call({
      destination: 'org.freedesktop.DBus',
      path: '/org/freedesktop/DBus',
      interface: 'org.freedesktop.DBus',
      member: 'AddMatch',
      signature: 's',
      body: [rule],
    });
  }

  onSignal(listener: (msg: SignalMessage) => void): () => void {
    this.events.on('signal', listener);
    return () => this.events.off('signal', listener);
  }

  onClose(listener: (err?: Error) => void): () => void {
    this.events.on('close', listener);
    return () => this.events.off('close', listener);
  }

  close(): void {
    this.markClosed(new UnavailableError(`D-Bus connection to ${this.address} closed by us`));
  }
}

/**
 * Connects and completes the D-Bus handshake (Hello), or fails with an
 * UnavailableError naming the address within `timeoutMs`.
 */
export async function connectBus(address: string, timeoutMs = 10_000): Promise<Bus> {
  let raw: DbusNext.MessageBus;
  let dbus: Dbus;
  try {
    dbus = (await import('dbus-next')).default;
    raw = dbus.sessionBus({ busAddress: address });
  } catch (err) {
    throw new UnavailableError(`D-Bus ${address}: ${errorMessage(err)}`);
  }
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`no handshake within ${timeoutMs} ms`)), timeoutMs);
    const fail = (err: unknown) => {
      clearTimeout(timer);
      raw.removeListener('connect', ok);
      // Later errors of the abandoned connection must not become uncaught 'error' events.
      raw.on('error', () => {});
      try {
        raw.disconnect();
      } catch {
        // never connected
      }
      reject(new UnavailableError(`D-Bus ${address}: ${errorMessage(err)}`));
    };
    const ok = () => {
      clearTimeout(timer);
      raw.removeListener('error', fail);
      resolve();
    };
    raw.once('connect', ok);
    raw.once('error', fail);
  });
  return new DbusNextBus(dbus, raw, address);
}
