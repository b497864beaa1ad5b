// node-problem-detector's filelog plugin: each line is cut with a `message`
// regex (its first group is the message) and a `timestamp` regex whose text is
// parsed with a Go time layout ("Jan _2 15:04:05", "2006-01-02T15:04:05Z07:00").
// A layout without a year takes the current one, as NPD does.

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';

interface LayoutPart {
  token: string;
  re: string;
}

// Longest tokens first.
const TOKENS: LayoutPart[] = [
  { token: 'January', re: '([A-Z][a-z]+)' },
  { token: 'Monday', re: '(?:[A-Z][a-z]+)' },
  { token: '2006', re: '(\\d{4})' },
  { token: 'Z07:00', re: '(Z|[+-]\\d{2}:\\d{2})' },
  { token: '-07:00', re: '([+-]\\d{2}:\\d{2})' },
  { token: '-0700', re: '([+-]\\d{4})' },
  { token: 'Jan', re: '([A-Z][a-z]{2})' },
  { token: 'Mon', re: DAYS },
  { token: 'MST', re: '(?:[A-Z]{3,5})' },
  { token: '.000000000', re: '\\.(\\d{9})' },
  { token: '.000000', re: '\\.(\\d{6})' },
  { token: '.000', re: '\\.(\\d{3})' },
  { token: '.999999999', re: '(?:\\.(\\d+))?' },
  { token: '.999999', re: '(?:\\.(\\d+))?' },
  { token: '.999', re: '(?:\\.(\\d+))?' },
  { token: '_2', re: '[ ]?(\\d{1,2})' },
  { token: '01', re: '(\\d{2})' },
  { token: '02', re: '(\\d{2})' },
  { token: '15', re: '(\\d{2})' },
  { token: '04', re: '(\\d{2})' },
  { token: '05', re: '(\\d{2})' },
];

type Field = 'month' | 'monthName' | 'year' | 'zone' | 'frac' | 'day' | 'hour' | 'minute' | 'second';
const FIELD_OF: Record<string, Field | undefined> = {
  January: 'monthName', Jan: 'monthName', '2006': 'year', 'Z07:00': 'zone', '-07:00': 'zone', '-0700': 'zone',
  '.000000000': 'frac', '.000000': 'frac', '.000': 'frac', '.999999999': 'frac', '.999999': 'frac', '.999': 'frac',
  _2: 'day', '01': 'month', '02': 'day', '15': 'hour', '04': 'minute', '05': 'second',
};

export interface GoLayout {
  regex: RegExp;
  fields: Field[];
}

export function compileGoLayout(layout: string): GoLayout {
  let re = '^';
  const fields: Field[] = [];
  let i = 0;
  while (i < layout.length) {
    const t = TOKENS.find((x) => layout.startsWith(x.token, i));
    if (t) {
      re += t.re;
      const f = FIELD_OF[t.token];
      if (f) fields.push(f);
      i += t.token.length;
    } else {
      re += layout[i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      i += 1;
    }
  }
  return { regex: new RegExp(re), fields };
}

/** Epoch ms, or undefined if the text does not fit the layout. */
export function parseGoTime(text: string, layout: GoLayout, now: number): number | undefined {
  const m = layout.regex.exec(text.trim());
  if (!m) return undefined;
  const nowDate = new Date(now);
  const v: Partial<Record<Field, string>> = {};
  layout.fields.forEach((f, idx) => {
    const s = m[idx + 1];
    if (s !== undefined) v[f] = s;
  });
  const year = v.year ? Number(v.year) : nowDate.getFullYear();
  let month = v.month ? Number(v.month) - 1 : 0;
  if (v.monthName) {
    month = MONTHS.indexOf(v.monthName.slice(0, 3));
    if (month < 0) return undefined;
  }
  const frac = v.frac ? Number((v.frac + '000').slice(0, 3)) : 0;
  const parts = [year, month, v.day ? Number(v.day) : 1, v.hour ? Number(v.hour) : 0, v.minute ? Number(v.minute) : 0, v.second ? Number(v.second) : 0, frac] as const;
  if (v.zone) {
    const utc = Date.UTC(...parts);
    if (v.zone === 'Z') return utc;
    const z = /^([+-])(\d{2}):?(\d{2})$/.exec(v.zone)!;
    const offset = (Number(z[2]) * 60 + Number(z[3])) * 60_000 * (z[1] === '-' ? -1 : 1);
    return utc - offset;
  }
  // No zone in the layout: local time, like syslog's.
  return new Date(...parts).getTime();
}

export interface FilelogParser {
  timestamp: RegExp;
  message: RegExp;
  layout: GoLayout;
}

/** A line → {timestamp, message}, or undefined when the message regex does not match. */
export function parseFilelogLine(line: string, p: FilelogParser, now: number): { timestamp?: number; message: string } | undefined {
  const m = p.message.exec(line);
  if (!m) return undefined;
  const message = m[1] ?? m[0];
  const ts = p.timestamp.exec(line);
  const timestamp = ts ? parseGoTime(ts[0], p.layout, now) : undefined;
  return timestamp === undefined ? { message } : { timestamp, message };
}
