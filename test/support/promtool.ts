import { ProcessRunner } from '../../common/exec/runner.js';

/** Runs the real `promtool check metrics` on an exposition; returns its complaints ('' when clean). */
export async function promtoolCheck(exposition: string): Promise<string> {
  const result = await new ProcessRunner().run({ argv: ['promtool', 'check', 'metrics'], input: exposition, okExitCodes: [0, 1, 3] });
  return (result.stdout + result.stderr).trim();
}
