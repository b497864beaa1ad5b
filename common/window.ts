// Reboot windows: days of the week and a time range in a time zone, e.g.
// "Mon-Fri 22:00-04:00 Europe/Berlin" (a range that ends before it starts
// runs across midnight: Friday 22:00 to Saturday 04:00 counts as Friday's).
import { InvalidArgumentError } from './errors.js';

export interface RebootWindow {
  /** 0 = Sunday ... 6 = Saturday: the days a window starts on. */
  days: number[];
  /** Minutes after local midnight. */
  startMinute: number;
  endMinute: number;
  timeZone: string;
}

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

function parseDays(text: string, field: string): number[] {
  const days = new Set<number>();
  for (const part of text.toLowerCase().split(',')) {
    const ends = part.split('-');
    const [from, to] = ends;
    const a = DAY_NAMES.indexOf(from ?? '');
    const b = to === undefined ? a : DAY_NAMES.indexOf(to);
    if (a < 0 || b < 0 || ends.length > 2) throw new InvalidArgumentError(field, `${JSON.stringify(part)} is not a day or day range (Mon, Mon-Fri, Sat,Sun)`);
    for (let d = a; ; d = (d + 1) % 7) {
      days.add(d);
      if (d === b) break;
    }
  }
  return [...days].sort();
}

function parseClock(text: string, field: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (!m || Number(m[1]) > 24 || Number(m[2]) > 59 || (Number(m[1]) === 24 && m[2] !== '00')) throw new InvalidArgumentError(field, `${JSON.stringify(text)} is not HH:MM`);
  return Number(m[1]) * 60 + Number(m[2]);
}

export function validateTimeZone(tz: string, field: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw new InvalidArgumentError(field, `${JSON.stringify(tz)} is not a known time zone`);
  }
  return tz;
}

/** "DAYS HH:MM-HH:MM [TZ]", TZ defaulting to UTC. */
export function parseWindow(text: string, field = '--reboot-window'): RebootWindow {
  const parts = text.trim().split(/\s+/);
  if (parts.length < 2 || parts.length > 3) throw new InvalidArgumentError(field, `${JSON.stringify(text)} is not "DAYS HH:MM-HH:MM [TIMEZONE]" (e.g. "Mon-Fri 22:00-04:00 Europe/Berlin")`);
  const range = parts[1]!.split('-');
  const [start, end] = range;
  if (start === undefined || end === undefined || range.length > 2) throw new InvalidArgumentError(field, `${JSON.stringify(parts[1])} is not HH:MM-HH:MM`);
  const window = {
    days: parseDays(parts[0]!, field),
    startMinute: parseClock(start, field),
    endMinute: parseClock(end, field),
    timeZone: validateTimeZone(parts[2] ?? 'UTC', field),
  };
  if (window.startMinute === window.endMinute) throw new InvalidArgumentError(field, 'start and end are the same time');
  return window;
}

/** Local weekday (0 = Sunday) and minute of the day of `unixMs` in `timeZone`. */
// One formatter per time zone: building one costs far more than using it.
const formatters = new Map<string, Intl.DateTimeFormat>();

export function localTime(unixMs: number, timeZone: string): { day: number; minute: number } {
  let format = formatters.get(timeZone);
  if (!format) formatters.set(timeZone, (format = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })));
  const parts = format.formatToParts(new Date(unixMs));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return { day: DAY_NAMES.indexOf(get('weekday').toLowerCase()), minute: Number(get('hour')) * 60 + Number(get('minute')) };
}

export function inWindow(window: RebootWindow, unixMs: number): boolean {
  const { day, minute } = localTime(unixMs, window.timeZone);
  if (window.startMinute < window.endMinute) {
    return window.days.includes(day) && minute >= window.startMinute && minute < window.endMinute;
  }
  // Across midnight: the evening part belongs to today, the morning part to yesterday's window.
  if (minute >= window.startMinute) return window.days.includes(day);
  if (minute < window.endMinute) return window.days.includes((day + 6) % 7);
  return false;
}

/**
 * When the first of `windows` opens after `unixMs` (to the minute), within a week; undefined
 * when there are none or one is open now. Steps a few minutes at a time (no window is shorter
 * than a step), then back to the exact minute.
 */
export function nextWindowOpen(windows: readonly RebootWindow[], unixMs: number): number | undefined {
  if (windows.length === 0 || inAnyWindow(windows, unixMs)) return undefined;
  const length = (w: RebootWindow) => (w.endMinute - w.startMinute + 1440) % 1440;
  const step = Math.max(1, Math.min(15, ...windows.map(length))) * 60_000;
  const first = Math.floor(unixMs / 60_000) * 60_000 + 60_000;
  for (let t = first; t <= unixMs + 8 * 24 * 60 * 60_000; t += step) {
    if (!inAnyWindow(windows, t)) continue;
    let open = t;
    while (open - 60_000 >= first && inAnyWindow(windows, open - 60_000)) open -= 60_000;
    return open;
  }
  return undefined;
}

/** True when no windows are configured, or `unixMs` falls in any of them. */
export function inAnyWindow(windows: readonly RebootWindow[], unixMs: number): boolean {
  return windows.length === 0 || windows.some((w) => inWindow(w, unixMs));
}

const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

/** The window as parseWindow reads it ("Mon,Tue 22:00-04:00 Europe/Berlin"). */
export function formatWindow(w: RebootWindow): string {
  const names = w.days.map((d) => DAY_NAMES[d]!.charAt(0).toUpperCase() + DAY_NAMES[d]!.slice(1));
  return `${names.join(',')} ${hhmm(w.startMinute)}-${hhmm(w.endMinute)} ${w.timeZone}`;
}
