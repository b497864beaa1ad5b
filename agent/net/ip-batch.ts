// One long-lived `ip -o -batch -` for the host side of the agent's CNI calls:
// the commands of a call go to its stdin instead of a new process per call.
// Without -force, ip stops at the first failing command and exits, so a
// failure is the exit (its stderr names it) and the next call starts a fresh
// process (line-session.ts). Success is the marker each batch ends with:
// `link show dev lo`, whose one line of output (-o) comes only after every
// command before it worked.
import type { SpawnStream } from '../../common/exec/stream.js';
import { DEFAULT_SESSION_TIMEOUT_MS, LineSession } from './line-session.js';

const MARKER = 'link show dev lo';
const MARKER_LINE = /^\d+: lo: /;

/** Runs host-side `ip` batch lines; resolves when all of them succeeded. */
export type HostBatch = (lines: readonly string[]) => Promise<void>;

export class IpBatchSession extends LineSession {
  constructor(spawn?: SpawnStream, timeoutMs = DEFAULT_SESSION_TIMEOUT_MS) {
    super(['ip', '-o', '-batch', '-'], spawn, timeoutMs);
  }

  readonly run: HostBatch = (lines) => this.request(`${lines.join('\n')}\n${MARKER}\n`, (line) => (MARKER_LINE.test(line) ? true : undefined)).then(() => undefined);
}
