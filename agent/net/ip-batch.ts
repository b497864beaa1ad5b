// One long-lived `ip -o -batch -` for the host side of the agent's CNI calls:
// the commands of a call go to its stdin instead of a new process per call.
// Without -force, ip stops at the first failing command and exits, so a
// failure is the exit (its stderr names it) and the next call starts a fresh
// process. Success is the marker each batch ends with: `link show dev lo`,
// whose one line of output (-o) comes only after every command before it
// worked. Calls run one at a time: an answer belongs to the batch in flight.
import { CommandError } from '../../common/exec/runner.js';
import { spawnStream, type SpawnStream, type StreamHandle } from '../../common/exec/stream.js';
import { HostpilotError } from '../../common/errors.js';

const ARGV = ['ip', '-o', '-batch', '-'];
const MARKER = 'link show dev lo';
const MARKER_LINE = /^\d+: lo: /;
const DEFAULT_TIMEOUT_MS = 10_000;

/** Runs host-side `ip` batch lines; resolves when all of them succeeded. */
export type HostBatch = (lines: readonly string[]) => Promise<void>;

interface InFlight {
  resolve(): void;
  reject(err: Error): void;
}

export class IpBatchSession {
  private stream: StreamHandle | undefined;
  private inFlight: InFlight | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly spawn: SpawnStream = spawnStream,
    private readonly timeoutMs = DEFAULT_TIMEOUT_MS,
  ) {}

  readonly run: HostBatch = (lines) => {
    const next = this.queue.then(() => this.runNow(lines));
    this.queue = next.catch(() => undefined);
    return next;
  };

  private runNow(lines: readonly string[]): Promise<void> {
    if (this.closed) return Promise.reject(new HostpilotError('unavailable', 'ip batch session is closed'));
    const stream = (this.stream ??= this.start());
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        // A hung ip holds no answer we could trust: kill it, the next call starts another.
        this.inFlight = undefined;
        this.discard();
        reject(new CommandError('timeout', ARGV, null, null, '', '', `timed out after ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.inFlight = {
        resolve: () => (clearTimeout(timer), resolve()),
        reject: (err) => (clearTimeout(timer), reject(err)),
      };
      stream.write(`${lines.join('\n')}\n${MARKER}\n`);
    });
  }

  private start(): StreamHandle {
    return this.spawn({
      argv: ARGV,
      stdin: true,
      onLine: (line) => {
        if (!MARKER_LINE.test(line)) return;
        const call = this.inFlight;
        this.inFlight = undefined;
        call?.resolve();
      },
      onExit: ({ exitCode, signal, stderr, error }) => {
        this.stream = undefined;
        const call = this.inFlight;
        this.inFlight = undefined;
        const tail = stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 500);
        const failure = error ? 'spawn' : signal ? 'signal' : 'exit';
        call?.reject(new CommandError(failure, ARGV, exitCode, signal, '', stderr, error ?? (signal ? `killed by ${signal}` : `exit code ${exitCode}${tail ? `: ${tail}` : ''}`)));
      },
    });
  }

  private discard(): void {
    const stream = this.stream;
    this.stream = undefined;
    void stream?.stop();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
    const stream = this.stream;
    this.stream = undefined;
    await stream?.stop();
  }
}
