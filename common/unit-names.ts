// Unit and drop-in names, validated before they reach systemd or a path.
import { InvalidArgumentError } from './errors.js';

const UNIT_TYPES = ['service', 'socket', 'target', 'device', 'mount', 'automount', 'swap', 'timer', 'path', 'slice', 'scope'];
// systemd's unit_name_is_valid(): letters, digits and ":-_.\@", at most 255
// bytes, a known type suffix; "@" only once (template or instance).
const UNIT_NAME = new RegExp(`^[A-Za-z0-9:_.\\\\-]+(@[A-Za-z0-9:_.\\\\-]*)?\\.(${UNIT_TYPES.join('|')})$`);
const DROP_IN_NAME = /^[A-Za-z0-9:_.@-]+\.conf$/;

export function isUnitName(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 255 && UNIT_NAME.test(value) && !value.startsWith('.');
}

export function validateUnitName(value: unknown, field = 'unit'): string {
  if (typeof value !== 'string' || value === '') throw new InvalidArgumentError(field, 'must not be empty');
  if (!(value.length <= 255 && UNIT_NAME.test(value) && !value.startsWith('.'))) {
    throw new InvalidArgumentError(
      field,
      `${JSON.stringify(value.slice(0, 80))} is not a unit name (letters, digits, ":-_.\\@", ending in .${UNIT_TYPES.slice(0, 3).join('/.')}/...)`,
    );
  }
  return value;
}

export function validateDropInName(value: unknown, field = 'drop_in'): string {
  if (typeof value !== 'string' || value === '') throw new InvalidArgumentError(field, 'must not be empty');
  if (value.length > 255 || !DROP_IN_NAME.test(value) || value.startsWith('.')) {
    throw new InvalidArgumentError(field, `${JSON.stringify(value.slice(0, 80))} is not a drop-in file name (letters, digits, ":-_.@", ending in .conf)`);
  }
  return value;
}

/** The object path systemd gives a unit (sd-bus' bus_label_escape). */
export function unitObjectPath(unit: string): string {
  let out = '';
  for (const ch of Buffer.from(unit, 'utf8')) {
    const c = String.fromCharCode(ch);
    out += /[A-Za-z0-9]/.test(c) ? c : `_${ch.toString(16).padStart(2, '0')}`;
  }
  return `/org/freedesktop/systemd1/unit/${out}`;
}
