// What the agent remembers about node configuration across restarts and
// reboots, in <state-dir>/node-config.json (common/fs.ts atomic writes): the
// hash it applied (reported as NodeReport.config_hash), the config itself (so
// drift is checked against it while the coordinator is away), and kernel
// arguments staged for a reboot that has not happened yet.
import { readFileSync } from 'node:fs';
import { FailedPreconditionError, UnavailableError, errorMessage } from '../../common/errors.js';
import { writeFileAtomicSync } from '../../common/fs.js';

export interface NodeConfigState {
  /** "sha256:<hex>" of the config applied; '' for none. */
  applied: string;
  /** The applied config's rendered JSON ('' for none). */
  renderedJson: string;
  /** Staged at boot `bootId` for `hash`: applied once the node has booted again. */
  rebootPending?: { hash: string; bootId: string };
  /** Kernel arguments configs appended that the node did not have: deleted again when no config appends them. */
  kargsAdded?: string[];
}

export const EMPTY_STATE: NodeConfigState = { applied: '', renderedJson: '' };

export class NodeConfigStore {
  /** `<state-dir>/node-config.json` (agent/paths.ts). */
  constructor(readonly path: string) {}

  load(): NodeConfigState {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { ...EMPTY_STATE };
      throw new UnavailableError(`${this.path}: cannot read the node config state: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`);
    }
    let parsed: Partial<NodeConfigState> | undefined;
    try {
      parsed = JSON.parse(text) as Partial<NodeConfigState>;
    } catch {
      parsed = undefined;
    }
    const pending = parsed?.rebootPending;
    if (
      !parsed ||
      typeof parsed.applied !== 'string' ||
      typeof parsed.renderedJson !== 'string' ||
      (pending !== undefined && (typeof pending !== 'object' || pending === null || typeof pending.hash !== 'string' || typeof pending.bootId !== 'string')) ||
      (parsed.kargsAdded !== undefined && (!Array.isArray(parsed.kargsAdded) || parsed.kargsAdded.some((k) => typeof k !== 'string')))
    ) {
      throw new FailedPreconditionError(`${this.path}: not a node config state file`);
    }
    return { applied: parsed.applied, renderedJson: parsed.renderedJson, ...(pending ? { rebootPending: pending } : {}), ...(parsed.kargsAdded?.length ? { kargsAdded: parsed.kargsAdded } : {}) };
  }

  save(state: NodeConfigState): void {
    writeFileAtomicSync(this.path, JSON.stringify(state) + '\n');
  }
}
