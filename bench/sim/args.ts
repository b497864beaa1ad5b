// Whole-number flags of the benchmarks, with one error naming the flag.
import { UsageError } from '../../common/cli.js';

export function int(values: Record<string, unknown>, name: string, fallback: number, min = 0): number {
  const text = values[name];
  if (text === undefined) return fallback;
  if (typeof text !== 'string' || !/^\d+$/.test(text) || Number(text) < min) throw new UsageError(`--${name}: ${JSON.stringify(text)} is not a whole number >= ${min}`);
  return Number(text);
}
