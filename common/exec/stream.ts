// A long-running child whose output is consumed line by line as it comes
// (`journalctl -f`), which the buffering CommandRunner cannot do. Same rules
// as the runner: argv only (no shell), its own process group, the whole group
// killed on stop, and output capped (per line; stderr keeps a bounded tail).
import { spawn } from 'node:child_process';
import { validateArgv } from './runner.js';
import { LineSplitter } from './lines.js';

export interface StreamSpec {
  argv: readonly string[];
  env?: Record<string, string>;
  cwd?: string;
  /** Longer stdout lines are cut to this many bytes (counted in `truncatedLines`). Default 64 KiB. */
  maxLineBytes?: number;
  /** Keep the child's stdin open as a pipe for write() (`ip -batch -`). Default: no stdin. */
  stdin?: boolean;
  onLine(line: string): void;
  /** The child ended on its own (not through stop()). */
  onExit?(exit: { exitCode: number | null; signal: NodeJS.Signals | null; stderr: string; error?: string }): void;
}

export interface StreamHandle {
  readonly argv: readonly string[];
  /** Writes to the child's stdin (spec.stdin); a child that is gone reports through onExit. */
  write(text: string): void;
  /** Kills the process group (SIGTERM, then SIGKILL after a grace) and resolves when the child is gone. */
  stop(): Promise<void>;
  truncatedLines(): number;
}

export type SpawnStream = (spec: StreamSpec) => StreamHandle;

const KILL_GRACE_MS = 2_000;
const STDERR_TAIL = 8 * 1024;

export function spawnStream(spec: StreamSpec, baseEnv: NodeJS.ProcessEnv = process.env): StreamHandle {
  validateArgv(spec.argv);
  const argv = [...spec.argv];
  const splitter = new LineSplitter(spec.maxLineBytes ?? 64 * 1024);
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: spec.cwd,
    env: { ...baseEnv, ...spec.env },
    detached: true,
    stdio: [spec.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    shell: false,
  });
  let stderr = '';
  let stopping = false;
  let exited = false;
  let spawnError: string | undefined;
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  const finish = (code: number | null, signal: NodeJS.Signals | null) => {
    if (exited) return;
    exited = true;
    splitter.flush(spec.onLine);
    if (!stopping) spec.onExit?.({ exitCode: code, signal, stderr, ...(spawnError ? { error: spawnError } : {}) });
    resolveDone();
  };
  child.on('close', finish);
  child.on('error', (e: NodeJS.ErrnoException) => {
    spawnError = e.code === 'ENOENT' ? 'command not found' : e.message;
    // A child that never started emits no 'close' we can rely on.
    if (child.pid === undefined) finish(null, null);
  });
  // EPIPE from a child that exited: its exit status tells, through onExit.
  child.stdin?.on('error', () => undefined);
  child.stdout!.on('data', (c: Buffer) => splitter.push(c, spec.onLine));
  child.stderr!.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString('utf8')).slice(-STDERR_TAIL);
  });
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  return {
    argv,
    truncatedLines: () => splitter.truncatedLines,
    write(text: string) {
      if (!child.stdin) throw new Error(`${argv.join(' ')}: started without stdin`);
      if (!exited) child.stdin.write(text);
    },
    async stop() {
      if (exited) return;
      stopping = true;
      killGroup('SIGTERM');
      const timer = setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
      await done;
      clearTimeout(timer);
      // Nothing of the group outlives the stream.
      killGroup('SIGKILL');
    },
  };
}
