import { describe, expect, it } from 'vitest';
import { resolveBusAddress } from '../../agent/systemd/bus.js';
import { AccessDeniedError, NoSuchUnitError, SystemdCallError, mapDbusError } from '../../agent/systemd/errors.js';
import { isUnitName, unitObjectPath, validateDropInName } from '../../common/unit-names.js';
import { InvalidArgumentError, UnavailableError } from '../../common/errors.js';

describe('unit names', () => {
  it('accepts what systemd accepts and refuses paths and junk', () => {
    for (const ok of ['kubelet.service', 'getty@tty1.service', 'getty@.service', 'sys-kernel-debug.mount', 'a:b_c\\x2d.socket']) expect(isUnitName(ok), ok).toBe(true);
    for (const bad of ['', 'kubelet', '../x.service', 'a/b.service', 'a b.service', '.service', 'x.servic', 'a@b@c.service', 'x'.repeat(250) + '.service']) {
      expect(isUnitName(bad), bad).toBe(false);
    }
    expect(() => validateDropInName('../10.conf', 'f')).toThrow(InvalidArgumentError);
    expect(validateDropInName('10-limits.conf')).toBe('10-limits.conf');
  });

  it('escapes object paths as systemd does', () => {
    expect(unitObjectPath('hp-sleep.service')).toBe('/org/freedesktop/systemd1/unit/hp_2dsleep_2eservice');
    expect(unitObjectPath('getty@tty1.service')).toBe('/org/freedesktop/systemd1/unit/getty_40tty1_2eservice');
  });
});

describe('D-Bus errors and addresses', () => {
  it('maps D-Bus error names to typed errors', () => {
    expect(mapDbusError('org.freedesktop.systemd1.NoSuchUnit', 'Unit x.service not loaded.', 'GetUnit', 'x.service')).toBeInstanceOf(NoSuchUnitError);
    expect(mapDbusError('org.freedesktop.DBus.Error.FileNotFound', 'No such file', 'GetUnitFileState', 'x.service')).toBeInstanceOf(NoSuchUnitError);
    const denied = mapDbusError('org.freedesktop.DBus.Error.InteractiveAuthorizationRequired', 'Interactive authentication required.', 'StartUnit');
    expect(denied).toBeInstanceOf(AccessDeniedError);
    expect(denied.kind).toBe('permission_denied');
    expect(mapDbusError('org.freedesktop.DBus.Error.AccessDenied', 'Rejected send message', 'StartUnit').kind).toBe('permission_denied');
    expect(mapDbusError('org.freedesktop.DBus.Error.ServiceUnknown', 'The name is not activatable', 'Reboot')).toBeInstanceOf(UnavailableError);
    const other = mapDbusError('org.freedesktop.systemd1.UnitMasked', 'Unit x.service is masked.', 'StartUnit', 'x.service');
    expect(other).toBeInstanceOf(SystemdCallError);
    expect((other as SystemdCallError).dbusName).toBe('org.freedesktop.systemd1.UnitMasked');
  });

  it('resolves the bus address: explicit, then DBUS_SYSTEM_BUS_ADDRESS, then the standard socket', () => {
    expect(resolveBusAddress('unix:path=/x/bus', { DBUS_SYSTEM_BUS_ADDRESS: 'unix:path=/y' })).toBe('unix:path=/x/bus');
    expect(resolveBusAddress(undefined, { DBUS_SYSTEM_BUS_ADDRESS: 'unix:path=/y;unix:path=/z' })).toBe('unix:path=/y');
    expect(resolveBusAddress(undefined, {})).toBe('unix:path=/run/dbus/system_bus_socket');
    expect(() => resolveBusAddress('tcp:host=evil,port=1', {})).toThrow(InvalidArgumentError);
  });
});
