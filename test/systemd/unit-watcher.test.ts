import { afterAll, beforeAll, expect, it } from 'vitest';
import { UnitManager } from '../../agent/systemd/unit-manager.js';
import { UnitWatcher, backoffDelay, type WatchedUnit } from '../../agent/systemd/unit-watcher.js';
import { describeWith } from '../support/components.js';
import { bootSystemd, eventually, type BootedSystemd } from './nspawn.js';
import { describe } from 'vitest';

describe('backoffDelay', () => {
  it('doubles from the initial delay up to the cap, jitter only shortening it', () => {
    const o = { initialMs: 100, maxMs: 1000 };
    expect([0, 1, 2, 3, 4, 10].map((a) => backoffDelay(a, o, () => 0))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay(2, o, () => 0.999)).toBe(200);
  });
});

describeWith(['systemd-nspawn', 'root'], 'UnitWatcher against a real systemd', () => {
  let sd: BootedSystemd;
  let units: UnitManager;
  let watcher: UnitWatcher | undefined;

  beforeAll(async () => {
    sd = await bootSystemd({
      units: {
        'hp-watched.service': '[Service]\nExecStart=/bin/sleep infinity\n',
        'hp-other.service': '[Service]\nExecStart=/bin/sleep infinity\n',
      },
    });
    units = new UnitManager({ busAddress: sd.busAddress, jobTimeoutMs: 30_000 });
  });
  afterAll(async () => {
    watcher?.stop();
    units?.close();
    await sd?.stop();
  });

  it('reports state changes of watched units only, and survives dbus being restarted', async () => {
    const seen: WatchedUnit[] = [];
    const connections: boolean[] = [];
    // The watcher has its own manager (connection), as the agent's health monitor would.
    const watchManager = new UnitManager({ busAddress: sd.busAddress });
    watcher = new UnitWatcher(watchManager, ['hp-watched.service', 'hp-missing.service'], {
      onChange: (u) => seen.push(u),
      onConnection: (c) => connections.push(c),
      backoff: { initialMs: 50, maxMs: 500 },
    });
    await watcher.start();
    expect(connections).toEqual([true]);
    const stateOf = (name: string) => {
      const u = [...seen].reverse().find((s) => s.name === name);
      return u?.found ? `${u.state.activeState}/${u.state.subState}` : u ? 'not-found' : undefined;
    };
    expect(stateOf('hp-watched.service')).toBe('inactive/dead');
    expect(stateOf('hp-missing.service')).toBe('not-found');

    await units.start('hp-watched.service');
    await units.start('hp-other.service');
    await eventually(() => stateOf('hp-watched.service') === 'active/running', 'watched unit running');
    expect(seen.some((u) => u.name === 'hp-other.service')).toBe(false);

    // Restart the system bus under the subscription. The reply may or may not make it back before the bus goes.
    await units.restart('dbus.service').catch(() => undefined);
    await eventually(() => connections.length >= 3 && connections.at(-1) === true, 'watcher reconnected after dbus restart');
    expect(connections.slice(0, 3)).toEqual([true, false, true]);

    // Signals flow again on the new connection.
    await eventually(async () => {
      await units.stop('hp-watched.service');
      return true;
    }, 'stop over the new bus');
    await eventually(() => stateOf('hp-watched.service') === 'inactive/dead', 'watched unit stopped after reconnect');
    await units.start('hp-watched.service');
    await eventually(() => stateOf('hp-watched.service') === 'active/running', 'watched unit running again');
    watcher.stop();
    watchManager.close();
  });
});
