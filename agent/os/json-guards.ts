// Type guards for the partial, validated parsing of the OS clients' JSON
// (rpm-ostree-status.ts, bootc-status.ts).

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
export function isString(v: unknown): v is string {
  return typeof v === 'string';
}
export function isBoolean(v: unknown): v is boolean {
  return typeof v === 'boolean';
}
export function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}
