import { InvalidArgumentError } from './errors.js';

// Node ids must fit machine ids, hostnames, Kubernetes node names and Zincati's
// ids, and nothing else: they end up in store keys, metric labels and logs.
const NODE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,252}$/;
// The FleetLock group grammar (zincati's protocol.md), starting and ending
// with a letter or digit: `.`, `..` and `-` would be group names otherwise,
// and a group name becomes a store key and a metric label.
const GROUP = /^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,61}[a-zA-Z0-9])?$/;
/** The group rule in words, for error messages on every API. */
export const GROUP_RULE = 'must match ^[a-zA-Z0-9.-]+$, start and end with a letter or digit, 1-63 characters';

export function isNodeId(value: unknown): value is string {
  return typeof value === 'string' && NODE_ID.test(value);
}

export function isGroupName(value: unknown): value is string {
  return typeof value === 'string' && GROUP.test(value);
}

export function validateNodeId(value: unknown, field = 'node_id'): string {
  if (typeof value !== 'string' || value === '') throw new InvalidArgumentError(field, 'must not be empty');
  if (!NODE_ID.test(value)) {
    throw new InvalidArgumentError(
      field,
      `${JSON.stringify(value.slice(0, 80))} is not a node id (1-253 letters, digits, '.', '_', '-', ':', starting with a letter or digit)`,
    );
  }
  return value;
}

export function validateGroupName(value: unknown, field = 'group'): string {
  if (typeof value !== 'string' || value === '') throw new InvalidArgumentError(field, 'must not be empty');
  if (!GROUP.test(value)) {
    throw new InvalidArgumentError(field, `${JSON.stringify(value.slice(0, 80))}: a group name ${GROUP_RULE}`);
  }
  return value;
}

// Label keys follow Kubernetes' shape (optional DNS prefix, then a name); values are short and printable.
const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

export function validateLabels(labels: Record<string, string>, field = 'labels'): Record<string, string> {
  const entries = Object.entries(labels);
  if (entries.length > 64) throw new InvalidArgumentError(field, `at most 64 labels, got ${entries.length}`);
  for (const [key, value] of entries) {
    if (!LABEL_KEY.test(key)) throw new InvalidArgumentError(`${field}.${key.slice(0, 80)}`, 'is not a valid label key');
    if (typeof value !== 'string' || !LABEL_VALUE.test(value)) {
      throw new InvalidArgumentError(`${field}.${key}`, `${JSON.stringify(String(value).slice(0, 80))} is not a valid label value`);
    }
  }
  return labels;
}
