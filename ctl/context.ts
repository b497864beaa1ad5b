// What every hostpilotctl command gets: the client, the output format, where to print.
import { stringify } from 'yaml';
import type { CtlClient } from './client.js';
import type { OutputFormat } from './settings.js';

export interface CtlContext {
  client: CtlClient;
  /** 'json' for the structured formats (json, yaml: print with printJson), 'table' for the human ones (table, wide). */
  output: 'table' | 'json';
  /** The format asked for: -o table|wide|json|yaml. */
  format: OutputFormat;
  out(text: string): void;
  now(): number;
}

export interface CtlCommand {
  usage: string;
  /** Flags this command takes beyond the global ones (parseArgs options). */
  options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;
  /** Lines for --help describing this command's flags, each with its default. */
  flagsHelp?: string;
  run(ctx: CtlContext, positionals: string[], values: Record<string, unknown>): Promise<number>;
}

/** Prints a structured reply as -o asked: JSON, or the same document as YAML. */
export function printJson(ctx: CtlContext, value: unknown): void {
  // Through JSON first so YAML shows exactly the keys and values JSON would.
  const plain = JSON.parse(JSON.stringify(value)) as unknown;
  ctx.out(ctx.format === 'yaml' ? `---\n${stringify(plain)}` : JSON.stringify(plain, null, 2) + '\n');
}
