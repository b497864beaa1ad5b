// Spawning the built programs (dist/), as operators and systemd run them.
// The test command builds dist/ before the suite runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { waitFor } from './tmp.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export type Program = 'agent' | 'coordinator' | 'ctl' | 'lab';

export function distPath(program: Program): string {
  const path = `${ROOT}dist/${program}/main.js`;
  if (!existsSync(path)) throw new Error(`${path} is missing: run npm run build first (npm test does)`);
  return path;
}

export interface Spawned {
  child: ChildProcess;
  output: () => string;
  /** Resolves when the output contains `text` (or matches it). */
  waitForOutput(text: string | RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function spawnProgram(program: Program, args: string[], env: NodeJS.ProcessEnv = {}): Spawned {
  const child = spawn(process.execPath, [distPath(program), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    output: () => out,
    waitForOutput: (text, timeoutMs = 20_000) => waitFor(() => (typeof text === 'string' ? out.includes(text) : text.test(out)), `output ${String(text)} from ${program}; got:\n${out.slice(-2000)}`, timeoutMs).then(() => undefined),
    exited,
    kill: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** Runs a program to completion. */
export async function runProgram(program: Program, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [distPath(program), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  return { code, stdout, stderr };
}

export { freeLoopbackPort as freePort } from '../../common/address.js';
