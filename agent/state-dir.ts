// The agent's state directory must be usable before anything starts: a flow
// that cannot save its state must not act. Checked once at start-up, so a bad
// --state-dir is one line and an exit, not an error on the first reboot.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { UnavailableError, errorMessage } from '../common/errors.js';
import { writeFileAtomicSync } from '../common/fs.js';

export function checkStateDir(dir: string): void {
  const probe = join(dir, '.hostpilot-write-probe');
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    readdirSync(dir);
    writeFileAtomicSync(probe, '');
    rmSync(probe);
  } catch (err) {
    throw new UnavailableError(`--state-dir ${dir}: cannot use it: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`);
  }
}
