// pre-reboot.d and post-reboot.d: executables run in name order; the first
// failure stops the run and fails the step.
import type { CommandRunner } from '../../common/exec/runner.js';
import { runDirs } from './exec-dir.js';

export function hookRunner(runner: CommandRunner, dir: string, timeoutMs: number, env: Record<string, string>): () => Promise<void> {
  return async () => {
    const failed = (await runDirs(runner, [dir], timeoutMs, true, env)).find((r) => !r.ok);
    if (failed) throw new Error(`hook ${failed.path}: ${failed.message}`);
  };
}
