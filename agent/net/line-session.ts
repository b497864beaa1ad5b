// A long-lived child that answers commands written to its stdin, one command
// at a time, with lines on its stdout: the agent's `ip -batch` (ip-batch.ts)
// and its native helper (net-helper.ts). Calls queue behind each other, so an
// answer always belongs to the call in flight. A child that exits fails the
// call in flight with its stderr; the next call starts a fresh one. A call
// that times out kills the child (a hung child holds no answer to trust).
import { CommandError } from '../../common/exec/runner.js';
import { spawnStream, type SpawnStream, type StreamHandle } from '../../common/exec/stream.js';
import { HostpilotError } from '../../common/errors.js';

export const DEFAULT_SESSION_TIMEOUT_MS = 10_000;

interface InFlight {
  resolve(line: string): void;
  reject(err: Error): void;
}

export abstract class LineSession {
  private stream: StreamHandle | undefined;
  private inFlight: InFlight | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    protected readonly argv: readonly string[],
    private readonly spawn: SpawnStream = spawnStream,
    private readonly timeoutMs = DEFAULT_SESSION_TIMEOUT_MS,
  ) {}

  /**
   * Writes `text` and resolves with the line `answer` accepted; `answer`
   * returns undefined for lines that are not the answer (ignored), or throws
   * to fail the call.
   */
  protected request<T>(text: string, answer: (line: string) => T | undefined): Promise<T> {
    const next = this.queue.then(() => this.send(text, answer));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private send<T>(text: string, answer: (line: string) => T | undefined): Promise<T> {
    if (this.closed) return Promise.reject(new HostpilotError('unavailable', `${this.argv[0]} session is closed`));
    const stream = (this.stream ??= this.start());
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.inFlight = undefined;
        this.discard();
        reject(new CommandError('timeout', this.argv, null, null, '', '', `timed out after ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.inFlight = {
        resolve: (line) => {
          try {
            const value = answer(line);
            if (value === undefined) return;
            clearTimeout(timer);
            this.inFlight = undefined;
            resolve(value);
          } catch (err) {
            clearTimeout(timer);
            this.inFlight = undefined;
            reject(err as Error);
          }
        },
        reject: (err) => (clearTimeout(timer), reject(err)),
      };
      stream.write(text);
    });
  }

  private start(): StreamHandle {
    return this.spawn({
      argv: this.argv,
      stdin: true,
      onLine: (line) => this.inFlight?.resolve(line),
      onExit: ({ exitCode, signal, stderr, error }) => {
        this.stream = undefined;
        const call = this.inFlight;
        this.inFlight = undefined;
        const tail = stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 500);
        const failure = error ? 'spawn' : signal ? 'signal' : 'exit';
        call?.reject(new CommandError(failure, this.argv, exitCode, signal, '', stderr, error ?? (signal ? `killed by ${signal}` : `exit code ${exitCode}${tail ? `: ${tail}` : ''}`)));
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
