// What every hostpilotctl command gets: the client, the output format, where to print.
import type { CtlClient } from './client.js';

export interface CtlContext {
  client: CtlClient;
  output: 'table' | 'json' | 'yaml';
  out(text: string): void;
  now(): number;
}

export interface CtlCommand {
  usage: string;
  /** Flags this command takes beyond the global ones (parseArgs options). */
  options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;
  run(ctx: CtlContext, positionals: string[], values: Record<string, unknown>): Promise<number>;
}

export function printJson(ctx: CtlContext, value: unknown): void {
  ctx.out(JSON.stringify(value, null, 2) + '\n');
}
