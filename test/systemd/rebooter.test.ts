import { afterEach, expect, it } from 'vitest';
import { LockNotHeldError, SystemdRebooter, type RebootMethod } from '../../agent/systemd/rebooter.js';
import { UnitManager } from '../../agent/systemd/unit-manager.js';
import { InvalidArgumentError } from '../../common/errors.js';
import { describeWith } from '../support/components.js';
import { bootSystemd, type BootedSystemd } from './nspawn.js';

// Reboots only the throw-away systemd this test booted (TESTING.md: never on a bus we did not start).
describeWith(['systemd-nspawn', 'root'], 'SystemdRebooter against a real systemd', () => {
  let sd: BootedSystemd | undefined;
  let units: UnitManager | undefined;
  afterEach(async () => {
    units?.close();
    await sd?.stop();
  });

  it.each<RebootMethod>(['auto', 'systemd'])('method %s: refuses without the lock or when the check fails, reboots with it', async (method) => {
    sd = await bootSystemd();
    units = new UnitManager({ busAddress: sd.busAddress });
    let held: boolean | Error = false;
    const rebooter = new SystemdRebooter({
      manager: units,
      method,
      lockHeld: async () => {
        if (held instanceof Error) throw held;
        return held;
      },
    });
    await expect(rebooter.reboot('os update')).rejects.toBeInstanceOf(LockNotHeldError);
    held = new Error('coordinator unreachable');
    await expect(rebooter.reboot('os update')).rejects.toThrow(/could not check the reboot lock: coordinator unreachable/);
    held = true;
    await expect(rebooter.reboot('')).rejects.toBeInstanceOf(InvalidArgumentError);
    // Still up after all the refusals.
    expect((await units.getUnit('basic.target')).activeState).toBe('active');

    await rebooter.reboot('os update');
    // systemd-nspawn exits with 133 when the container's systemd reboots.
    expect(await sd.exited).toBe(133);
  });
});
