import { InvalidArgumentError } from './errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses "250ms", "30s", "5m", "1h30m", "2d" into milliseconds. */
export function parseDuration(text: string, field: string): number {
  const trimmed = text.trim();
  const parts = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/.test(trimmed) ? trimmed.match(/\d+(?:\.\d+)?(?:ms|s|m|h|d)/g) : null;
  if (!parts) throw new InvalidArgumentError(field, `${JSON.stringify(text)} is not a duration (e.g. 500ms, 30s, 5m, 1h30m)`);
  let total = 0;
  for (const part of parts) {
    const [, amount, unit] = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(part)!;
    total += Number(amount) * UNITS[unit!]!;
  }
  return Math.round(total);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m}m${s % 60 ? `${s % 60}s` : ''}`;
  const h = Math.floor(m / 60);
  return `${h}h${m % 60 ? `${m % 60}m` : ''}`;
}
