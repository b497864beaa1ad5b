// The reboot flow's state on disk, written atomically (temp file, fsync,
// rename, fsync of the directory) so that neither a crash nor the reboot
// itself can leave half a state behind.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isFlowState } from '../../common/api/flow-state.js';
import type { FlowState } from './flow.js';

export interface PersistedFlow {
  state: FlowState;
  /** The coordinator's last desired target ('' for none), so a restart remembers it. */
  desired: string;
}

export function writeFileAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

export class FlowStore {
  readonly path: string;
  constructor(stateDir: string) {
    this.path = join(stateDir, 'reboot-flow.json');
  }

  load(): PersistedFlow {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { state: { kind: 'idle' }, desired: '' };
      throw err;
    }
    const parsed = JSON.parse(text) as PersistedFlow;
    if (!parsed || typeof parsed !== 'object' || !isFlowState(String(parsed.state?.kind)) || typeof parsed.desired !== 'string') {
      throw new Error(`${this.path}: not a reboot-flow state file`);
    }
    return parsed;
  }

  save(flow: PersistedFlow): void {
    writeFileAtomic(this.path, JSON.stringify(flow, null, 2) + '\n');
  }
}
