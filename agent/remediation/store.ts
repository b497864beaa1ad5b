// The remediation orders this node was given, in `<state-dir>/remediation.json`
// (written with common/fs.ts: temp file, fsync, rename), so that an order
// re-sent after a reconnect, a coordinator restart or an agent restart is
// answered with what was done, and never done twice. A record is written as
// `running` before its action starts.
import { readFileSync } from 'node:fs';
import { FailedPreconditionError, UnavailableError, errorMessage } from '../../common/errors.js';
import { writeFileAtomicSync } from '../../common/fs.js';

export const RESULT_STATES = ['running', 'succeeded', 'failed'] as const;
export type ResultState = (typeof RESULT_STATES)[number];

export interface RemediationRecord {
  id: string;
  action: string;
  unit: string;
  condition: string;
  state: ResultState;
  message: string;
  startedUnixMs: number;
  /** 0 while running. */
  finishedUnixMs: number;
  /** Set once the action began (saved first): an order not begun when the agent stopped is carried out after the restart. */
  begun?: boolean;
  /** reboot: the boot the order was taken up in (a different boot means the reboot happened). */
  bootId?: string;
}

/** Enough to answer any id the coordinator could still re-send (one per ladder step). */
export const KEPT_RECORDS = 32;

export class RemediationStore {
  private records: RemediationRecord[] = [];

  /** `<state-dir>/remediation.json` (agent/paths.ts). */
  constructor(readonly path: string) {}

  /** Reads the file; a file that is not ours is an error naming it (the agent must not guess what it did). */
  load(): RemediationRecord[] {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return (this.records = []);
      throw new UnavailableError(`${this.path}: cannot read the remediation orders: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const records = (parsed as { records?: unknown } | undefined)?.records;
    if (!Array.isArray(records) || !records.every(isRecord)) throw new FailedPreconditionError(`${this.path}: not a remediation state file`);
    return (this.records = records);
  }

  all(): readonly RemediationRecord[] {
    return this.records;
  }

  get(id: string): RemediationRecord | undefined {
    return this.records.find((r) => r.id === id);
  }

  /** The order asked about last (what the NodeReport carries). */
  last(): RemediationRecord | undefined {
    return this.records.at(-1);
  }

  /** Saves `record` as the newest (replacing the one with its id), before anything else happens. */
  put(record: RemediationRecord): void {
    this.write([...this.records.filter((r) => r.id !== record.id), record].slice(-KEPT_RECORDS));
  }

  /** Updates a record in place (its position stays: a finished order does not jump ahead of a newer one). */
  update(record: RemediationRecord): void {
    this.write(this.records.map((r) => (r.id === record.id ? record : r)));
  }

  private write(records: RemediationRecord[]): void {
    writeFileAtomicSync(this.path, JSON.stringify({ records }, null, 2) + '\n');
    this.records = records;
  }
}

function isRecord(v: unknown): v is RemediationRecord {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    ['id', 'action', 'unit', 'condition', 'message'].every((k) => typeof r[k] === 'string') &&
    (RESULT_STATES as readonly unknown[]).includes(r.state) &&
    typeof r.startedUnixMs === 'number' &&
    typeof r.finishedUnixMs === 'number' &&
    (r.begun === undefined || typeof r.begun === 'boolean') &&
    (r.bootId === undefined || typeof r.bootId === 'string')
  );
}
