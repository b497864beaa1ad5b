// A throw-away real systemd for tests (TESTING.md): systemd-nspawn boots the
// host's /usr on a tmpfs root in about a second. The container's system bus
// socket, its /run/systemd/system and its /etc/systemd/system are host
// directories, so a test reaches systemd over D-Bus and writes unit files from
// outside.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { connectBus } from '../../agent/systemd/bus.js';

export interface BootedSystemd {
  dir: string;
  machine: string;
  busAddress: string;
  /** Host directory seen as /run/systemd/system in the container. */
  runUnitsDir: string;
  /** Host directory seen as /etc/systemd/system in the container. */
  etcUnitsDir: string;
  consoleLog: string;
  /** Settles when systemd-nspawn exits (133 when the container asked for a reboot). */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

let counter = 0;

export interface BootOptions {
  /** Unit files (name -> content) for /run/systemd/system. */
  units?: Record<string, string>;
  binds?: Array<[string, string]>;
  readOnlyBinds?: Array<[string, string]>;
  /** A writable overlay (tmpfs upper) over the host's /usr, so binds can land under /usr (the install layout). */
  overlayUsr?: boolean;
  /** Units masked in /run/systemd/system (a link to /dev/null). */
  maskedUnits?: string[];
}

export async function bootSystemd(options: BootOptions = {}): Promise<BootedSystemd> {
  const dir = mkdtempSync(join(tmpdir(), 'hp-systemd-'));
  const machine = `hpsd${process.pid}x${++counter}`;
  const dbusDir = join(dir, 'dbus');
  const runUnitsDir = join(dir, 'run-units');
  const etcUnitsDir = join(dir, 'etc-units');
  for (const d of [dbusDir, runUnitsDir, etcUnitsDir]) mkdirSync(d, { recursive: true });
  for (const [name, text] of Object.entries(options.units ?? {})) {
    mkdirSync(dirname(join(runUnitsDir, name)), { recursive: true });
    writeFileSync(join(runUnitsDir, name), text);
  }
  for (const name of options.maskedUnits ?? []) symlinkSync('/dev/null', join(runUnitsDir, name));
  const consoleLog = join(dir, 'console.log');
  const args = [
    '--register=no',
    '--keep-unit',
    '-M',
    machine,
    '--console=read-only',
    '-b',
    '-D',
    '/',
    '--volatile=yes',
    '--private-network',
    `--bind=${dbusDir}:/run/dbus`,
    `--bind=${runUnitsDir}:/run/systemd/system`,
    `--bind=${etcUnitsDir}:/etc/systemd/system`,
    ...(options.overlayUsr ? ['--overlay=/usr::/usr'] : []),
    ...(options.binds ?? []).map(([h, c]) => `--bind=${h}:${c}`),
    ...(options.readOnlyBinds ?? []).map(([h, c]) => `--bind-ro=${h}:${c}`),
    '--',
    'systemd.firstboot=off',
    'systemd.unit=basic.target',
  ];
  const log = openSync(consoleLog, 'w');
  const child = spawn('systemd-nspawn', args, { stdio: ['ignore', log, log] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const busAddress = `unix:path=${join(dbusDir, 'system_bus_socket')}`;
  const booted: BootedSystemd = {
    dir,
    machine,
    busAddress,
    runUnitsDir,
    etcUnitsDir,
    consoleLog,
    exited,
    stop: () => stopContainer(child, exited, dir),
  };
  try {
    await waitRunning(busAddress, child);
  } catch (err) {
    await booted.stop();
    throw err;
  }
  return booted;
}

async function waitRunning(busAddress: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  let last = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`systemd-nspawn exited (${child.exitCode ?? child.signalCode}) before systemd was up`);
    try {
      const bus = await connectBus(busAddress, 2000);
      try {
        const [v] = await bus.call({
          destination: 'org.freedesktop.systemd1',
          path: '/org/freedesktop/systemd1',
          interface: 'org.freedesktop.DBus.Properties',
          member: 'Get',
          signature: 'ss',
          body: ['org.freedesktop.systemd1.Manager', 'SystemState'],
          timeoutMs: 2000,
        });
        last = String((v as { value: unknown }).value);
        if (last === 'running' || last === 'degraded') return;
      } finally {
        bus.close();
      }
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`systemd in the container did not come up: ${last}`);
}

async function stopContainer(child: ChildProcess, exited: Promise<unknown>, dir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const t1 = setTimeout(() => child.kill('SIGTERM'), 5000);
    const t2 = setTimeout(() => child.kill('SIGKILL'), 15000);
    await exited;
    clearTimeout(t1);
    clearTimeout(t2);
  }
  rmSync(dir, { recursive: true, force: true });
}

/** Polls `probe` until it returns true; bounds a wait on systemd, asserts nothing about time. */
export async function eventually(probe: () => Promise<boolean> | boolean, what: string, limitMs = 30_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    try {
      if (await probe()) return;
    } catch (err) {
      lastErr = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting for ${what}${lastErr ? `: ${String(lastErr)}` : ''}`);
}
