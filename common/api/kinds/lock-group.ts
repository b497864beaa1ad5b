// LockGroup: a reboot-lock group (a counting semaphore) declared as a resource.
// The same thing as a `--group NAME=SLOTS` flag: a flag is the default a
// resource of the same name overrides.
import { InvalidArgumentError } from '../../errors.js';
import { formatDuration, parseDuration } from '../../duration.js';
import { validateGroupName } from '../../names.js';
import { isObject, onlyKeys } from '../fields.js';
import type { KindDef, Spec } from '../resource-types.js';

export interface LockGroupSpec {
  slots: number;
  /** A held slot expires after this; absent: never (or the coordinator's --lock-ttl). */
  ttl?: string;
}

export const lockGroupKind: KindDef = {
  kind: 'LockGroup',
  plural: 'LockGroups',
  order: 10,
  validateName: (name, field) => void validateGroupName(name, field),
  validateSpec(spec: unknown): Spec {
    if (!isObject(spec)) throw new InvalidArgumentError('spec', 'is required (slots)');
    onlyKeys(spec, ['slots', 'ttl'], 'spec.');
    const slots = spec.slots;
    if (typeof slots !== 'number' || !Number.isInteger(slots) || slots < 1 || slots > 1_000_000) {
      throw new InvalidArgumentError('spec.slots', `${JSON.stringify(slots ?? null)} is not a whole number from 1 to 1000000`);
    }
    const out: LockGroupSpec = { slots };
    if (spec.ttl !== undefined) {
      if (typeof spec.ttl !== 'string') throw new InvalidArgumentError('spec.ttl', `${JSON.stringify(spec.ttl)} is not a duration (e.g. 2h)`);
      const ms = parseDuration(spec.ttl, 'spec.ttl');
      if (ms < 1000) throw new InvalidArgumentError('spec.ttl', 'must be at least 1s');
      out.ttl = formatDuration(ms);
    }
    return out as unknown as Spec;
  },
  columns: {
    header: ['SLOTS', 'HELD', 'TTL'],
    row: (r, status) => [String(r.spec.slots), status ? String(status.holders ?? 0) : '-', typeof r.spec.ttl === 'string' ? r.spec.ttl : '-'],
  },
};
