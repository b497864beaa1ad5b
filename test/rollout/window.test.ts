// Reboot windows: parsing, refusals, membership across midnight and time zones
// (fixed dates, none near a daylight-saving change), and formatting round trips.
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../common/errors.js';
import { formatWindow, inAnyWindow, inWindow, localTime, parseWindow } from '../../common/window.js';

// 2026-01-05 is a Monday.
const utc = (day: number, hh: number, mm = 0) => Date.UTC(2026, 0, 4 + day, hh, mm);
const SUN = 0, MON = 1, TUE = 2, WED = 3, FRI = 5, SAT = 6;

describe('parseWindow', () => {
  const good: Array<[string, { days: number[]; startMinute: number; endMinute: number; timeZone: string }]> = [
    ['Mon-Fri 22:00-04:00 Europe/Berlin', { days: [1, 2, 3, 4, 5], startMinute: 1320, endMinute: 240, timeZone: 'Europe/Berlin' }],
    ['Sat,Sun 00:00-24:00', { days: [0, 6], startMinute: 0, endMinute: 1440, timeZone: 'UTC' }],
    ['Fri-Mon 9:30-10:45 Asia/Tokyo', { days: [0, 1, 5, 6], startMinute: 570, endMinute: 645, timeZone: 'Asia/Tokyo' }],
    ['  wed   01:00-02:00  ', { days: [3], startMinute: 60, endMinute: 120, timeZone: 'UTC' }],
    ['Mon,Mon,Tue 01:00-02:00', { days: [1, 2], startMinute: 60, endMinute: 120, timeZone: 'UTC' }],
  ];
  it.each(good)('reads %j', (text, expected) => {
    expect(parseWindow(text)).toEqual(expected);
  });

  const bad: Array<[string, RegExp]> = [
    ['', /is not "DAYS HH:MM-HH:MM/],
    ['Mon', /is not "DAYS HH:MM-HH:MM/],
    ['Mon 01:00-02:00 UTC extra', /is not "DAYS HH:MM-HH:MM/],
    ['Someday 01:00-02:00', /is not a day or day range/],
    ['Mon, 01:00-02:00', /is not a day or day range/],
    ['Mon-Tue-Wed 01:00-02:00', /is not a day or day range/],
    ['Mon- 01:00-02:00', /is not a day or day range/],
    ['Mon 01:00', /is not HH:MM-HH:MM/],
    ['Mon 25:00-02:00', /is not HH:MM/],
    ['Mon 01:60-02:00', /is not HH:MM/],
    ['Mon 24:30-02:00', /is not HH:MM/],
    ['Mon 1:0-02:00', /is not HH:MM/],
    ['Mon 01:00-02:00-03:00', /is not HH:MM/],
    ['Mon 02:00-02:00', /start and end are the same time/],
    ['Mon 01:00-02:00 Mars/Olympus', /is not a known time zone/],
  ];
  it.each(bad)('refuses %j, naming the field', (text, message) => {
    let err: unknown;
    try {
      parseWindow(text, 'reboot_window');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as InvalidArgumentError).field).toBe('reboot_window');
    expect((err as Error).message).toMatch(message);
  });
});

describe('inWindow', () => {
  const cases: Array<[string, string, number, boolean]> = [
    ['inside', 'Mon 01:00-02:00', utc(MON, 1, 30), true],
    ['at its start', 'Mon 01:00-02:00', utc(MON, 1, 0), true],
    ['at its end (exclusive)', 'Mon 01:00-02:00', utc(MON, 2, 0), false],
    ['a minute before its start', 'Mon 01:00-02:00', utc(MON, 0, 59), false],
    ['on another day', 'Mon 01:00-02:00', utc(TUE, 1, 30), false],
    ['the whole day', 'Sat,Sun 00:00-24:00', utc(SUN, 23, 59), true],
    ['the whole day, not Monday', 'Sat,Sun 00:00-24:00', utc(MON, 0, 0), false],
    // Across midnight: Friday 22:00 to Saturday 04:00 belongs to Friday.
    ['across midnight, evening', 'Fri 22:00-04:00', utc(FRI, 23, 0), true],
    ['across midnight, morning after', 'Fri 22:00-04:00', utc(SAT, 3, 59), true],
    ['across midnight, at its end', 'Fri 22:00-04:00', utc(SAT, 4, 0), false],
    ['across midnight, the morning of its own day', 'Fri 22:00-04:00', utc(FRI, 3, 0), false],
    ['across midnight, the afternoon', 'Fri 22:00-04:00', utc(FRI, 15, 0), false],
    ['across midnight on Saturday, Sunday morning', 'Sat 23:00-01:00', utc(SUN, 0, 30), true],
    ['across midnight from Saturday, wrapping the week', 'Sat 22:00-02:00', utc(SUN + 7, 1, 0), true],
    ['across midnight from Sunday, not Saturday night', 'Sun 22:00-02:00', utc(SAT, 23, 0), false],
    // Time zones (January: Berlin UTC+1, New York UTC-5; Tokyo UTC+9, Kolkata UTC+5:30, no DST).
    ['Berlin, 02:30 local is 01:30 UTC', 'Mon 02:00-03:00 Europe/Berlin', utc(MON, 1, 30), true],
    ['Berlin, not 02:30 UTC', 'Mon 02:00-03:00 Europe/Berlin', utc(MON, 2, 30), false],
    ['Tokyo: Tuesday 01:00 local is Monday 16:00 UTC', 'Tue 00:00-02:00 Asia/Tokyo', utc(MON, 16, 0), true],
    ['Tokyo: Monday 16:00 UTC is not Monday there', 'Mon 00:00-02:00 Asia/Tokyo', utc(MON, 16, 0), false],
    ['New York: Sunday 22:00 local is Monday 03:00 UTC', 'Sun 21:00-23:00 America/New_York', utc(MON, 3, 0), true],
    ['New York: across local midnight', 'Fri 23:00-01:00 America/New_York', utc(SAT, 5, 30), true],
    ['New York: across local midnight, too late', 'Fri 23:00-01:00 America/New_York', utc(SAT, 6, 0), false],
    ['Kolkata half hour: 05:30 local is 00:00 UTC', 'Wed 05:30-05:31 Asia/Kolkata', utc(WED, 0, 0), true],
    ['Kolkata half hour: a minute early', 'Wed 05:30-05:31 Asia/Kolkata', utc(WED - 1, 23, 59), false],
  ];
  it.each(cases)('%s', (_name, text, at, expected) => {
    expect(inWindow(parseWindow(text), at)).toBe(expected);
  });

  it('any of several windows; none configured means any time', () => {
    const ws = ['Mon 01:00-02:00', 'Tue 01:00-02:00'].map((w) => parseWindow(w));
    expect(inAnyWindow(ws, utc(TUE, 1, 15))).toBe(true);
    expect(inAnyWindow(ws, utc(WED, 1, 15))).toBe(false);
    expect(inAnyWindow([], utc(WED, 1, 15))).toBe(true);
  });

  it('localTime reads the weekday and minute in the zone', () => {
    expect(localTime(utc(MON, 0, 0), 'UTC')).toEqual({ day: MON, minute: 0 });
    expect(localTime(utc(MON, 0, 0), 'America/Los_Angeles')).toEqual({ day: SUN, minute: 16 * 60 });
    expect(localTime(utc(MON, 23, 59), 'Asia/Kathmandu')).toEqual({ day: TUE, minute: 5 * 60 + 44 });
  });
});

describe('formatWindow', () => {
  it.each([
    'Mon-Fri 22:00-04:00 Europe/Berlin',
    'Sat,Sun 00:00-24:00',
    'Fri-Mon 9:30-10:45 Asia/Tokyo',
    'wed 01:00-02:00 America/New_York',
    'Sun 23:59-00:01',
  ])('round-trips %j', (text) => {
    const w = parseWindow(text);
    const formatted = formatWindow(w);
    expect(parseWindow(formatted)).toEqual(w);
    expect(formatWindow(parseWindow(formatted))).toBe(formatted);
  });

  it('writes days, zero-padded times and the zone', () => {
    expect(formatWindow(parseWindow('Fri-Mon 9:30-10:45 Asia/Tokyo'))).toBe('Sun,Mon,Fri,Sat 09:30-10:45 Asia/Tokyo');
    expect(formatWindow(parseWindow('Sat 00:00-24:00'))).toBe('Sat 00:00-24:00 UTC');
  });
});
