import { existsSync, mkdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnitManager } from '../../agent/systemd/unit-manager.js';
import { SdNotifier, watchdogIntervalMs } from '../../common/sd-notify.js';
import { describeWith } from '../support/components.js';
import { RecordedRunner } from '../support/recorded-runner.js';
import { bootSystemd, eventually, type BootedSystemd } from './nspawn.js';

describe('SdNotifier', () => {
  it('does nothing without NOTIFY_SOCKET', async () => {
    const runner = new RecordedRunner([]);
    const n = new SdNotifier({ runner, env: { WATCHDOG_USEC: '1000000' } });
    expect(n.enabled).toBe(false);
    expect(await n.ready()).toBe(false);
    expect(n.watchdog(() => true).intervalMs).toBeUndefined();
    expect(runner.calls).toEqual([]);
  });

  it('sends through systemd-notify, with --pid only as root, and keeps STATUS on one line', async () => {
    const runner = new RecordedRunner([{ argv: [/^systemd-notify$/, /.*/] }, { argv: [/^systemd-notify$/, /.*/, /.*/] }, { argv: [/^systemd-notify$/, /.*/, /.*/, /.*/] }]);
    const env = { NOTIFY_SOCKET: '/run/systemd/notify' };
    await new SdNotifier({ runner, env, pid: 42, uid: 0 }).ready('up\nand running');
    await new SdNotifier({ runner, env, pid: 42, uid: 1000 }).stopping();
    expect(runner.argvs()).toEqual([
      ['systemd-notify', '--pid=42', 'READY=1', 'STATUS=up and running'],
      ['systemd-notify', 'STOPPING=1'],
    ]);
    expect(runner.calls[0]!.env).toEqual({ NOTIFY_SOCKET: '/run/systemd/notify' });
  });

  it('reports a failed send as false instead of throwing', async () => {
    const runner = new RecordedRunner([{ argv: ['systemd-notify', 'READY=1'], failure: 'spawn' }]);
    expect(await new SdNotifier({ runner, env: { NOTIFY_SOCKET: '/x' }, uid: 1 }).ready()).toBe(false);
  });

  it('computes the watchdog interval from WATCHDOG_USEC for this pid only', () => {
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '20000000' }, 7)).toBe(10_000);
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '20000000', WATCHDOG_PID: '7' }, 7)).toBe(10_000);
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '20000000', WATCHDOG_PID: '8' }, 7)).toBeUndefined();
    expect(watchdogIntervalMs({ WATCHDOG_USEC: 'x' }, 7)).toBeUndefined();
    expect(watchdogIntervalMs({}, 7)).toBeUndefined();
  });

  it('pings each interval while healthy and withholds pings while not', async () => {
    const runner = new RecordedRunner([{ argv: ['systemd-notify', 'WATCHDOG=1'] }]);
    const timers: Array<{ fn: () => void; ms: number }> = [];
    let healthy = true;
    const n = new SdNotifier({
      runner,
      env: { NOTIFY_SOCKET: '/x', WATCHDOG_USEC: '4000000' },
      uid: 1,
      setTimer: (fn, ms) => {
        timers.push({ fn, ms });
        return { cancel: () => undefined };
      },
    });
    const handle = n.watchdog(() => healthy);
    expect(handle.intervalMs).toBe(2000);
    // The first tick runs at once; each later one when its timer fires.
    const nextTimer = async () => {
      await eventually(() => timers.length > 0, 'next timer', 5000);
      const t = timers.shift()!;
      expect(t.ms).toBe(2000);
      return t.fn;
    };
    let fire = await nextTimer(); // tick 1 pinged
    expect(runner.calls.length).toBe(1);
    healthy = false;
    fire();
    fire = await nextTimer(); // tick 2: unhealthy, no ping
    expect(runner.calls.length).toBe(1);
    healthy = true;
    fire();
    await nextTimer(); // tick 3 pinged
    handle.stop();
    expect(runner.calls.length).toBe(2);
  });
});

// The real thing: a Type=notify service in a real systemd, using the built dist/ (npm run build).
const dist = resolve('dist');
describeWith(['systemd-nspawn', 'systemd-notify', 'root'], 'sd-notify against a real systemd', () => {
  let sd: BootedSystemd;
  let units: UnitManager;
  const share = resolve('.tmp', `sdnotify-${process.pid}`);

  beforeAll(async () => {
    if (!existsSync(join(dist, 'common', 'sd-notify.js'))) throw new Error('dist/ is not built: run npm run build first');
    mkdirSync(share, { recursive: true });
    const script = resolve('test/systemd/fixtures/notify-service.mjs');
    const unit = (extra: string) =>
      `[Service]\nType=notify\nExecStart=/usr/bin/node ${script} ${dist} /run/hp-share/sick\nWatchdogSec=2s\nRestart=on-failure\nRestartSec=100ms\n${extra}`;
    sd = await bootSystemd({
      units: {
        'hp-notify.service': unit('NotifyAccess=main\n'),
        // Unprivileged, as the coordinator runs: the notify child cannot claim the main pid, so NotifyAccess=all.
        'hp-notify-user.service': unit('NotifyAccess=all\nUser=nobody\n'),
      },
      // The checkout (and node_modules, when it is a link to another checkout) at the same paths inside.
      readOnlyBinds: [...new Set([resolve('.'), realpathSync(resolve('node_modules'))])].map((p) => [p, p] as [string, string]),
      binds: [[share, '/run/hp-share']],
    });
    units = new UnitManager({ busAddress: sd.busAddress, jobTimeoutMs: 60_000 });
  });
  afterAll(async () => {
    units?.close();
    await sd?.stop();
    rmSync(share, { recursive: true, force: true });
  });

  for (const name of ['hp-notify.service', 'hp-notify-user.service']) {
    it(`${name}: active through READY=1, restarted by systemd when the pings stop`, async () => {
      rmSync(join(share, 'sick'), { force: true });
      // For Type=notify the start job completes only on READY=1.
      await units.start(name);
      const up = await units.getUnit(name);
      expect(up).toMatchObject({ activeState: 'active', subState: 'running', restarts: 0 });
      const bus = await units.bus();
      const [status] = await bus.call({
        destination: 'org.freedesktop.systemd1',
        path: UnitManager.unitPath(name),
        interface: 'org.freedesktop.DBus.Properties',
        member: 'Get',
        signature: 'ss',
        body: ['org.freedesktop.systemd1.Service', 'StatusText'],
      });
      expect((status as { value: string }).value).toBe('serving');

      // Several watchdog periods pass with pings: still the same process.
      await new Promise((r) => setTimeout(r, 3000));
      expect(await units.getUnit(name)).toMatchObject({ activeState: 'active', mainPid: up.mainPid, restarts: 0 });

      // Unhealthy: pings stop, systemd's watchdog kills and restarts it.
      writeFileSync(join(share, 'sick'), '');
      await eventually(async () => ((await units.getUnit(name)).restarts ?? 0) >= 1, 'a watchdog restart', 30_000);
      rmSync(join(share, 'sick'));
      await eventually(async () => {
        const u = await units.getUnit(name);
        return u.activeState === 'active' && u.mainPid !== up.mainPid;
      }, 'running again');
      await units.stop(name);
      expect((await units.getUnit(name)).activeState).toBe('inactive');
    });
  }
});
