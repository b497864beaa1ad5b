// A resource's `selector` ({label: [values]}, or one value as a string) as
// the wire's selector form, checked once for every kind that selects nodes.
import { InvalidArgumentError } from '../../errors.js';
import { asField, isObject } from '../fields.js';
import { parseSelector, type Selector } from '../rollout-spec.js';

/** `{rack: [r1, r2]}` → `{rack: "r1,r2"}`, the form parseSelector and the wire take. */
export function selectorEntries(raw: unknown, field: string): Record<string, string> {
  if (raw === undefined) return {};
  if (!isObject(raw)) throw new InvalidArgumentError(field, 'is not a mapping of label to values ({rack: [r1, r2]})');
  const entries: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    const values = typeof v === 'string' ? [v] : Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' || typeof x === 'number') ? v.map(String) : undefined;
    if (!values) throw new InvalidArgumentError(`${field}.${k}`, 'is not a list of label values');
    if (values.some((x) => x.includes(','))) throw new InvalidArgumentError(`${field}.${k}`, 'a value may not contain ","');
    entries[k] = values.join(',');
  }
  return entries;
}

export function resourceSelector(raw: unknown, field: string): Selector {
  const entries = selectorEntries(raw, field);
  return asField(field, () => parseSelector(entries));
}
