import { parseArgs, type ParseArgsConfig } from 'node:util';
import { HostpilotError, errorMessage } from './errors.js';
import { versionLine } from './version.js';

/** A bad command line: printed as one line, exit code 2. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

export interface ParsedFlags {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/**
 * Strict flag parsing: unknown flags, missing values and stray positionals are
 * usage errors. Options may come before or after positionals.
 */
export function parseFlags(args: string[], options: Options, opts: { positionals?: boolean } = {}): ParsedFlags {
  try {
    const { values, positionals } = parseArgs({
      args,
      options,
      strict: true,
      allowPositionals: opts.positionals ?? false,
    });
    return { values: values as ParsedFlags['values'], positionals };
  } catch (err) {
    throw new UsageError(errorMessage(err).replace(/\. To specify a positional argument.*$/s, '').split('\n')[0]);
  }
}

export function stringFlag(flags: ParsedFlags, name: string): string | undefined {
  const v = flags.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function listFlag(flags: ParsedFlags, name: string): string[] {
  const v = flags.values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

export function boolFlag(flags: ParsedFlags, name: string): boolean {
  return flags.values[name] === true;
}

/**
 * Runs a program's main: `PROGRAM --version` prints the version; usage errors,
 * domain errors and system errors at start-up (a path, a port) become one line
 * on stderr and a non-zero exit; anything else is a bug and keeps its stack.
 */
export function runMain(program: string, main: (argv: string[]) => Promise<number | void>): void {
  const argv = process.argv.slice(2);
  if (argv[0] === '--version') {
    process.stdout.write(versionLine(program));
    return;
  }
  main(argv).then(
    (code) => {
      if (typeof code === 'number') process.exitCode = code;
    },
    (err: unknown) => {
      if (err instanceof UsageError) {
        process.stderr.write(`${program}: ${err.message} (see ${program} --help)\n`);
        process.exitCode = 2;
      } else if (err instanceof HostpilotError || isSystemError(err)) {
        process.stderr.write(`${program}: ${(err as Error).message}\n`);
        process.exitCode = 1;
      } else {
        process.stderr.write(`${program}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
        process.exitCode = 1;
      }
    },
  );
}

/** An error from the OS (EACCES on a file, EADDRINUSE on a port): its message names the path or address. */
function isSystemError(err: unknown): boolean {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && typeof (err as NodeJS.ErrnoException).syscall === 'string';
}
