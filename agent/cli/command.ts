// A subcommand of hostpilot-agent (`run`, `os`, `problems`, `units`, `storage`, ...).
// Each lives in its own module under agent/cli/ and is loaded only when used,
// so `hostpilot-agent os status` does not pay for the daemon's imports.

export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: CommandIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : text + '\n'),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : text + '\n'),
};

export interface AgentCommand {
  /** One line for `hostpilot-agent --help`. */
  summary: string;
  /** Returns the exit code. Throws UsageError for a bad command line. */
  main(args: string[], io: CommandIo): Promise<number>;
}
