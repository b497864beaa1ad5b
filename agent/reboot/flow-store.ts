// The reboot flow's state on disk, written with common/fs.ts (temp file,
// fsync, rename, fsync of the directory) so that neither a crash nor the reboot
// itself can leave half a state behind.
import { readFileSync } from 'node:fs';
import { isFlowState } from '../../common/api/flow-state.js';
import { FailedPreconditionError, UnavailableError, errorMessage } from '../../common/errors.js';
import { writeFileAtomicSync } from '../../common/fs.js';
import type { FlowState } from './flow.js';

export interface PersistedFlow {
  state: FlowState;
  /** The coordinator's last desired target ('' for none), so a restart remembers it. */
  desired: string;
  /** An image tag resolved to a digest (bootc): kept so the reboot into it does not resolve the tag again. */
  resolved?: ResolvedTag;
}

export interface ResolvedTag {
  tag: string;
  pinned: string;
  digest: string;
}

export class FlowStore {
  /** `<state-dir>/reboot-flow.json` (agent/paths.ts). */
  constructor(readonly path: string) {}

  /** A file that cannot be read or is not a flow state is an error naming it: the agent must not guess where a reboot stands. */
  load(): PersistedFlow {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { state: { kind: 'idle' }, desired: '' };
      throw new UnavailableError(`${this.path}: cannot read the reboot flow's state: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`);
    }
    let parsed: PersistedFlow | undefined;
    try {
      parsed = JSON.parse(text) as PersistedFlow;
    } catch {
      parsed = undefined;
    }
    if (!parsed || typeof parsed !== 'object' || !isFlowState(String(parsed.state?.kind)) || typeof parsed.desired !== 'string') {
      throw new FailedPreconditionError(`${this.path}: not a reboot-flow state file`);
    }
    const r = parsed.resolved;
    if (r !== undefined && (typeof r !== 'object' || r === null || [r.tag, r.pinned, r.digest].some((v) => typeof v !== 'string'))) {
      throw new Error(`${this.path}: resolved: not an image tag resolution`);
    }
    return parsed;
  }

  save(flow: PersistedFlow): void {
    writeFileAtomicSync(this.path, JSON.stringify(flow, null, 2) + '\n');
  }
}
