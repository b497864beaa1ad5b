// Small checks every kind's validation uses; errors name the field.
import { InvalidArgumentError } from '../errors.js';

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Refuses keys a kind does not know: a typo must not be silently ignored. */
export function onlyKeys(obj: Record<string, unknown>, allowed: readonly string[], prefix: string): void {
  for (const key of Object.keys(obj)) if (!allowed.includes(key)) throw new InvalidArgumentError(`${prefix}${key}`, `unknown field (known: ${allowed.join(', ')})`);
}

/** Runs a validator written for another field name and reports `field` instead. */
export function asField<T>(field: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof InvalidArgumentError) throw new InvalidArgumentError(field, err.message.slice(err.field.length + 2));
    throw err;
  }
}

/** JSON with object keys sorted (undefined members dropped): equal values give equal text whatever their key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isObject(v)) return `{${Object.keys(v).sort().filter((k) => v[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(',')}}`;
  return JSON.stringify(v);
}
