// Sizes as container-storage-setup and LVM write them: "40%FREE", "8G",
// "512K", "2GiB", "1048576b". Units are powers of 1024 (LVM's meaning).
import { InvalidArgumentError } from '../../common/errors.js';

export type SizeSpec = { kind: 'bytes'; bytes: number } | { kind: 'percentFree'; percent: number };

const UNITS: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };
const ABSOLUTE = /^(\d+(?:\.\d+)?)\s*([bkmgtp])(?:i?b)?$/i;
const PERCENT = /^(\d{1,3})%FREE$/;

export function parseBytes(value: unknown, field: string): number {
  if (typeof value !== 'string' || value.trim() === '') throw new InvalidArgumentError(field, 'must be a size such as "8G", "512K" or "1048576b"');
  const m = ABSOLUTE.exec(value.trim());
  if (!m) throw new InvalidArgumentError(field, `${JSON.stringify(value)} is not a size (a number with a unit b, K, M, G, T or P, powers of 1024)`);
  const bytes = Math.floor(Number(m[1]) * UNITS[m[2]!.toLowerCase()]!);
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new InvalidArgumentError(field, `${JSON.stringify(value)} must be more than 0 bytes`);
  return bytes;
}

export function parseSizeSpec(value: unknown, field: string): SizeSpec {
  if (typeof value === 'string') {
    const p = PERCENT.exec(value.trim());
    if (p) {
      const percent = Number(p[1]);
      if (percent < 1 || percent > 100) throw new InvalidArgumentError(field, `${JSON.stringify(value)}: the percentage must be 1-100`);
      return { kind: 'percentFree', percent };
    }
  }
  if (typeof value === 'string' && value.includes('%')) throw new InvalidArgumentError(field, `${JSON.stringify(value)}: only N%FREE is supported as a percentage`);
  return { kind: 'bytes', bytes: parseBytes(value, field) };
}

/** A human-readable size, in the largest binary unit that keeps it >= 1 (LVM's style). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(2)} ${units[i]}`;
}

export function formatSizeSpec(spec: SizeSpec): string {
  return spec.kind === 'percentFree' ? `${spec.percent}%FREE` : formatBytes(spec.bytes);
}
