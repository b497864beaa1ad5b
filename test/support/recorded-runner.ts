// A CommandRunner that replays recorded outputs instead of running anything,
// for tools that cannot run on these machines (rpm-ostree) and for failure
// cases. Every call is kept so tests can assert the exact argv.
import { CommandError, validateArgv, type CommandResult, type CommandRunner, type CommandSpec } from '../../common/exec/runner.js';

export interface Recording {
  /** Matches when every element equals (string) or matches (RegExp) the argv element at that index, and the lengths agree. */
  argv: readonly (string | RegExp)[];
  stdout?: string;
  stderr?: string;
  exitCode?: number;
  /** Simulate a timeout / a missing binary instead of an exit. */
  failure?: 'timeout' | 'spawn';
  /** Use once, then fall through to the next matching recording. */
  once?: boolean;
}

export class RecordedRunner implements CommandRunner {
  readonly calls: CommandSpec[] = [];
  private readonly recordings: Recording[];

  constructor(recordings: Recording[]) {
    this.recordings = [...recordings];
  }

  add(recording: Recording): this {
    this.recordings.push(recording);
    return this;
  }

  argvs(): string[][] {
    return this.calls.map((c) => [...c.argv]);
  }

  async run(spec: CommandSpec): Promise<CommandResult> {
    validateArgv(spec.argv);
    this.calls.push(spec);
    const index = this.recordings.findIndex((r) => matches(r.argv, spec.argv));
    if (index < 0) throw new Error(`RecordedRunner: no recording for ${JSON.stringify(spec.argv)}`);
    const rec = this.recordings[index]!;
    if (rec.once) this.recordings.splice(index, 1);
    const argv = [...spec.argv];
    const stdout = rec.stdout ?? '';
    const stderr = rec.stderr ?? '';
    if (rec.failure === 'spawn') throw new CommandError('spawn', argv, null, null, '', '', 'command not found');
    if (rec.failure === 'timeout') throw new CommandError('timeout', argv, null, 'SIGTERM', stdout, stderr, `timed out after ${spec.timeoutMs ?? 60000} ms`);
    const exitCode = rec.exitCode ?? 0;
    if (!(spec.okExitCodes ?? [0]).includes(exitCode)) {
      throw new CommandError('exit', argv, exitCode, null, stdout, stderr, `exit code ${exitCode}: ${stderr.trim()}`);
    }
    return { argv, exitCode, stdout, stderr, truncated: false, durationMs: 0 };
  }
}

function matches(pattern: readonly (string | RegExp)[], argv: readonly string[]): boolean {
  if (pattern.length !== argv.length) return false;
  return pattern.every((p, i) => (typeof p === 'string' ? p === argv[i] : p.test(argv[i]!)));
}
