// The one command runner (docs/architecture.md, rule 1). Every child process the agent
// starts goes through here: argv arrays only (no shell), its own process group
// so a timeout kills the whole tree, output capped, and a typed error that
// carries argv, exit code, signal and stderr.
import { spawn } from 'node:child_process';
import { HostpilotError } from '../errors.js';

export interface CommandSpec {
  argv: readonly string[];
  /** Default 60 s. The whole process group is killed when it passes. */
  timeoutMs?: number;
  /** Per stream; the rest is drained and dropped. Default 4 MiB. */
  maxOutputBytes?: number;
  input?: string | Buffer;
  /** Added to (not replacing) the runner's base environment. */
  env?: Record<string, string>;
  cwd?: string;
  /** Exit codes that count as success. Default [0]. */
  okExitCodes?: readonly number[];
}

export interface CommandResult {
  argv: readonly string[];
  exitCode: number;
  stdout: string;
  stderr: string;
  /** True when either stream passed maxOutputBytes. */
  truncated: boolean;
  durationMs: number;
}

export interface CommandRunner {
  run(spec: CommandSpec): Promise<CommandResult>;
}

export type CommandFailure = 'exit' | 'timeout' | 'spawn' | 'signal';

export class CommandError extends HostpilotError {
  constructor(
    readonly failure: CommandFailure,
    readonly argv: readonly string[],
    readonly exitCode: number | null,
    readonly signal: NodeJS.Signals | null,
    readonly stdout: string,
    readonly stderr: string,
    detail: string,
  ) {
    super(failure === 'spawn' ? 'unavailable' : 'failed_precondition', `${argv.join(' ')}: ${detail}`);
  }
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_OUTPUT = 4 * 1024 * 1024;
// After SIGTERM to the group, how long before SIGKILL.
const KILL_GRACE_MS = 2_000;

export function validateArgv(argv: readonly string[]): void {
  if (argv.length === 0 || !argv[0]) throw new HostpilotError('invalid_argument', 'command: empty argv');
  for (const arg of argv) {
    if (typeof arg !== 'string') throw new HostpilotError('invalid_argument', `command: argv holds a ${typeof arg}`);
    if (arg.includes('\0')) throw new HostpilotError('invalid_argument', `command: argument ${JSON.stringify(arg)} holds a NUL byte`);
  }
}

class CappedBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  truncated = false;
  constructor(private readonly cap: number) {}
  push(chunk: Buffer): void {
    if (this.size >= this.cap) {
      this.truncated = true;
      return;
    }
    const room = this.cap - this.size;
    if (chunk.length > room) {
      this.truncated = true;
      chunk = chunk.subarray(0, room);
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** Runs real processes. `baseEnv` defaults to the agent's own environment. */
export class ProcessRunner implements CommandRunner {
  constructor(private readonly baseEnv: NodeJS.ProcessEnv = process.env) {}

  run(spec: CommandSpec): Promise<CommandResult> {
    try {
      validateArgv(spec.argv);
    } catch (err) {
      return Promise.reject(err);
    }
    const argv = [...spec.argv];
    const timeoutMs = spec.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const cap = spec.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
    const okCodes = spec.okExitCodes ?? [0];
    const started = performance.now();

    return new Promise((resolve, reject) => {
      const child = spawn(argv[0]!, argv.slice(1), {
        cwd: spec.cwd,
        env: { ...this.baseEnv, ...spec.env },
        // Own process group: a timeout kills the command and whatever it started.
        detached: true,
        stdio: [spec.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        shell: false,
      });
      const out = new CappedBuffer(cap);
      const err = new CappedBuffer(cap);
      child.stdout!.on('data', (c: Buffer) => out.push(c));
      child.stderr!.on('data', (c: Buffer) => err.push(c));

      let timedOut = false;
      let killTimer: NodeJS.Timeout | undefined;
      const killGroup = (signal: NodeJS.Signals) => {
        try {
          if (child.pid) process.kill(-child.pid, signal);
        } catch {
          // Already gone.
        }
      };
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup('SIGTERM');
        killTimer = setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
      }, timeoutMs);

      if (spec.input !== undefined) {
        child.stdin!.on('error', () => {
          // The command may exit without reading its input; its exit status tells.
        });
        child.stdin!.end(spec.input);
      }

      child.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        clearTimeout(killTimer);
        reject(new CommandError('spawn', argv, null, null, '', '', e.code === 'ENOENT' ? 'command not found' : e.message));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        clearTimeout(killTimer);
        // Whatever the leader did, make sure nothing of its group outlives it after a timeout.
        if (timedOut) killGroup('SIGKILL');
        const result: CommandResult = {
          argv,
          exitCode: code ?? -1,
          stdout: out.text(),
          stderr: err.text(),
          truncated: out.truncated || err.truncated,
          durationMs: performance.now() - started,
        };
        const stderrTail = result.stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 500);
        if (timedOut) {
          reject(new CommandError('timeout', argv, code, signal, result.stdout, result.stderr, `timed out after ${timeoutMs} ms`));
        } else if (signal) {
          reject(new CommandError('signal', argv, null, signal, result.stdout, result.stderr, `killed by ${signal}`));
        } else if (!okCodes.includes(result.exitCode)) {
          reject(
            new CommandError('exit', argv, result.exitCode, null, result.stdout, result.stderr, `exit code ${result.exitCode}${stderrTail ? `: ${stderrTail}` : ''}`),
          );
        } else {
          resolve(result);
        }
      });
    });
  }
}
