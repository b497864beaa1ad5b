// The reboot flow's state on disk, written with common/fs.ts (temp file,
// fsync, rename, fsync of the directory) so that neither a crash nor the reboot
// itself can leave half a state behind.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../../common/fs.js';
import { FLOW_STATES, type FlowState } from './flow.js';

export interface PersistedFlow {
  state: FlowState;
  /** The coordinator's last desired target ('' for none), so a restart remembers it. */
  desired: string;
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
    if (!parsed || typeof parsed !== 'object' || !FLOW_STATES.includes(parsed.state?.kind) || typeof parsed.desired !== 'string') {
      throw new Error(`${this.path}: not a reboot-flow state file`);
    }
    return parsed;
  }

  save(flow: PersistedFlow): void {
    writeFileAtomicSync(this.path, JSON.stringify(flow, null, 2) + '\n');
  }
}
