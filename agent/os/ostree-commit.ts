// `ostree show` / `ostree log`: blocks starting `commit <sha>` followed by
// `Parent:`, `Date:` and `Version:` lines, then the indented subject. We keep
// checksum, parent, timestamp and version (the commit's `version` metadata).
import { OsOutputError } from './errors.js';

export interface CommitInfo {
  checksum: string;
  parent: string;
  /** Unix seconds; 0 when the date line is missing. */
  timestamp: number;
  version: string;
}

const COMMIT = /^commit ([0-9a-f]{64})\s*$/;
// ostree prints `Date:  2026-11-21 21:25:41 +0000` (always UTC).
const DATE = /^Date:\s+(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})\s*$/;

export function parseOstreeCommits(text: string, command: string): CommitInfo[] {
  const out: CommitInfo[] = [];
  let current: CommitInfo | undefined;
  for (const line of text.split('\n')) {
    const commit = COMMIT.exec(line);
    if (commit) {
      current = { checksum: commit[1]!, parent: '', timestamp: 0, version: '' };
      out.push(current);
      continue;
    }
    if (!current) continue;
    if (line.startsWith('Parent:')) current.parent = line.slice('Parent:'.length).trim();
    else if (line.startsWith('Version:')) current.version = line.slice('Version:'.length).trim();
    else if (line.startsWith('Date:')) {
      const d = DATE.exec(line);
      if (!d) throw new OsOutputError(command, `unreadable date ${JSON.stringify(line)}`);
      const utc = Date.UTC(+d[1]!, +d[2]! - 1, +d[3]!, +d[4]!, +d[5]!, +d[6]!) / 1000;
      const offset = (d[7] === '-' ? -1 : 1) * (+d[8]! * 3600 + +d[9]! * 60);
      current.timestamp = utc - offset;
    }
  }
  return out;
}
