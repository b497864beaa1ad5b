// Runs the executables of a directory in name order (blockers.d, health.d,
// pre-reboot.d, post-reboot.d), each through the command runner with a
// timeout. A missing directory has nothing to run.
import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CommandError, type CommandRunner } from '../../common/exec/runner.js';

export interface ExecResult {
  path: string;
  ok: boolean;
  /** The first line of its output, or why it failed. */
  message: string;
}

export function executablesIn(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names
    .filter((n) => !n.startsWith('.'))
    .sort()
    .map((n) => join(dir, n))
    .filter((p) => {
      try {
        accessSync(p, constants.X_OK);
        return statSync(p).isFile();
      } catch {
        return false;
      }
    });
}

export async function runExecutable(runner: CommandRunner, path: string, timeoutMs: number, env: Record<string, string> = {}): Promise<ExecResult> {
  try {
    const r = await runner.run({ argv: [path], timeoutMs, maxOutputBytes: 64 * 1024, env });
    return { path, ok: true, message: firstLine(r.stdout) };
  } catch (err) {
    if (err instanceof CommandError) {
      const said = firstLine(err.stdout) || firstLine(err.stderr);
      const how = err.failure === 'timeout' ? `timed out after ${timeoutMs} ms` : err.failure === 'exit' ? `exit ${err.exitCode}` : err.failure;
      return { path, ok: false, message: said ? `${how}: ${said}` : how };
    }
    return { path, ok: false, message: (err as Error).message };
  }
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.slice(0, 300) ?? '';
}

/** Runs every executable of the directories; stops at the first failure when `stopOnFailure`. */
export async function runDirs(runner: CommandRunner, dirs: string[], timeoutMs: number, stopOnFailure: boolean, env: Record<string, string> = {}): Promise<ExecResult[]> {
  const results: ExecResult[] = [];
  for (const dir of dirs) {
    for (const path of executablesIn(dir)) {
      const result = await runExecutable(runner, path, timeoutMs, env);
      results.push(result);
      if (!result.ok && stopOnFailure) return results;
    }
  }
  return results;
}
