// `ostree admin status` (text; ostree 2022.7 has no --json): one header line a
// deployment, in boot order, then indented `Key: value` lines. We read the
// osname, checksum.serial, the booted `*`, the (staged|pending|rollback)
// marker, `Version:`, `Pinned: yes` and `origin refspec:`; other lines
// (GPG, Unlocked, origin: <unknown origin type>) are skipped.
import { OsOutputError } from './errors.js';

export interface OstreeStatusEntry {
  osname: string;
  checksum: string;
  serial: number;
  /** ostree's `*`: booted on the running system. Never set for a sysroot that is not the running one. */
  booted: boolean;
  /** `staged`, `pending`, `rollback`, `finalization locked`... as printed after the checksum. */
  markers: string[];
  version: string;
  pinned: boolean;
  /** `origin refspec:`; '' when the origin is not a refspec. */
  refspec: string;
}

const COMMAND = 'ostree admin status';
const HEADER = /^([* ]) (\S+) ([0-9a-f]{64})\.(\d+)(?: \(([^)]*)\))*\s*$/;
const MARKERS = /\(([^)]*)\)/g;
const DETAIL = /^\s{2,}([^:]+):\s?(.*)$/;

export function parseOstreeAdminStatus(text: string): OstreeStatusEntry[] {
  const entries: OstreeStatusEntry[] = [];
  let current: OstreeStatusEntry | undefined;
  for (const [n, line] of text.split('\n').entries()) {
    if (line.trim() === '' || line.trim() === 'No deployments.') continue;
    const header = HEADER.exec(line);
    if (header) {
      const tail = line.slice(line.indexOf(header[3]!) + 64);
      current = {
        osname: header[2]!,
        checksum: header[3]!,
        serial: Number(header[4]),
        booted: header[1] === '*',
        markers: [...tail.matchAll(MARKERS)].map((m) => m[1]!.trim()),
        version: '',
        pinned: false,
        refspec: '',
      };
      entries.push(current);
      continue;
    }
    const detail = DETAIL.exec(line);
    if (detail && current) {
      const key = detail[1]!.trim();
      const value = detail[2]!.trim();
      if (key === 'Version') current.version = value;
      else if (key === 'Pinned') current.pinned = value === 'yes';
      else if (key === 'origin refspec') current.refspec = value;
      continue;
    }
    // ostree prints a few notices before the list (e.g. about a staged
    // deployment or the bootloader); a line we cannot place after a deployment
    // started is a format change we must not guess about.
    if (current) throw new OsOutputError(COMMAND, `line ${n + 1}: ${JSON.stringify(line.slice(0, 120))}`);
  }
  return entries;
}
