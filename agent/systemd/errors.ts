// Typed errors of the systemd area, and the one mapping from D-Bus error names
// to them. Callers switch on `kind` (common/errors.ts) or on the class.
import { HostpilotError, UnavailableError } from '../../common/errors.js';

/** systemd does not know the unit (org.freedesktop.systemd1.NoSuchUnit, or LoadState not-found). */
export class NoSuchUnitError extends HostpilotError {
  constructor(readonly unit: string) {
    super('not_found', `unit ${unit} not found`);
  }
}

/** The bus or systemd refused the call for lack of privilege (polkit, bus policy). */
export class AccessDeniedError extends HostpilotError {
  constructor(
    readonly operation: string,
    detail: string,
  ) {
    super('permission_denied', `${operation}: access denied: ${detail}`);
  }
}

/**
 * A job finished with a result other than "done". systemd's results: canceled,
 * timeout, failed, dependency, skipped (the last is not a failure for a
 * conditional start, but callers asked for the unit to change, so it is).
 */
export class JobFailedError extends HostpilotError {
  constructor(
    readonly unit: string,
    readonly job: string,
    readonly result: string,
  ) {
    super('failed_precondition', `${job} of ${unit} finished with result "${result}"`);
  }
}

/** Any other error reply from systemd, with its D-Bus error name kept. */
export class SystemdCallError extends HostpilotError {
  constructor(
    readonly operation: string,
    readonly dbusName: string,
    detail: string,
  ) {
    super('failed_precondition', `${operation}: ${dbusName}: ${detail}`);
  }
}

const ACCESS_DENIED = new Set([
  'org.freedesktop.DBus.Error.AccessDenied',
  'org.freedesktop.DBus.Error.InteractiveAuthorizationRequired',
  'org.freedesktop.DBus.Error.AuthFailed',
]);
const UNAVAILABLE = new Set([
  'org.freedesktop.DBus.Error.ServiceUnknown',
  'org.freedesktop.DBus.Error.NameHasNoOwner',
  'org.freedesktop.DBus.Error.NoReply',
  'org.freedesktop.DBus.Error.Disconnected',
  'org.freedesktop.DBus.Error.Timeout',
  'org.freedesktop.DBus.Error.NoServer',
]);

/**
 * Turns a D-Bus error reply into a typed error. `unit` names the unit the call
 * was about, when there is one, so NoSuchUnit can say which.
 */
export function mapDbusError(name: string, text: string, operation: string, unit?: string): HostpilotError {
  if (name === 'org.freedesktop.systemd1.NoSuchUnit' || name === 'org.freedesktop.systemd1.LoadFailed') {
    // LoadFailed with "not found" text is what StartUnit says for a missing unit file.
    if (name === 'org.freedesktop.systemd1.NoSuchUnit' || /not found/i.test(text)) return new NoSuchUnitError(unit ?? extractUnit(text) ?? '?');
  }
  // The unit-file calls (GetUnitFileState, EnableUnitFiles) answer a missing file with errno ENOENT.
  if (name === 'org.freedesktop.DBus.Error.FileNotFound' && unit) return new NoSuchUnitError(unit);
  if (ACCESS_DENIED.has(name)) return new AccessDeniedError(operation, text);
  if (UNAVAILABLE.has(name)) return new UnavailableError(`${operation}: ${name}: ${text}`);
  return new SystemdCallError(operation, name, text);
}

function extractUnit(text: string): string | undefined {
  return /[Uu]nit ([^\s]+?) (?:not|is not) /.exec(text)?.[1];
}
