// Kernel log records as /dev/kmsg hands them out (Documentation/ABI/testing/
// dev-kmsg): "PRIO,SEQ,TS_USEC,FLAGS[,...];MESSAGE" followed by continuation
// lines " KEY=VALUE". Also accepted, so an operator can replay a saved log:
// `dmesg -r` ("<6>[   12.345678] MESSAGE") and plain `dmesg` ("[   12.345678] MESSAGE").

export interface KmsgRecord {
  /** Syslog priority (0 emerg .. 7 debug). */
  priority: number;
  facility: number;
  /** Absent for dmesg formats. */
  seq?: number;
  /** Microseconds since boot. */
  timestampUs: number;
  message: string;
}

const RECORD = /^(\d+),(\d+),(\d+),[^;]*;(.*)$/;
const DMESG = /^(?:<(\d+)>)?\[\s*(\d+)\.(\d{1,9})\] ?(.*)$/;

/** One line of input → a record, or undefined for continuation lines and anything else. */
export function parseKmsgLine(line: string): KmsgRecord | undefined {
  if (line.length === 0 || line.startsWith(' ')) return undefined;
  let m = RECORD.exec(line);
  if (m) {
    const prefix = Number(m[1]);
    return { priority: prefix & 7, facility: prefix >> 3, seq: Number(m[2]), timestampUs: Number(m[3]), message: m[4]! };
  }
  m = DMESG.exec(line);
  if (m) {
    const prefix = m[1] === undefined ? 6 : Number(m[1]);
    const frac = (m[3]! + '000000').slice(0, 6);
    return { priority: prefix & 7, facility: prefix >> 3, timestampUs: Number(m[2]) * 1_000_000 + Number(frac), message: m[4]! };
  }
  return undefined;
}
