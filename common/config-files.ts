// Layered config files, Zincati-style: YAML drop-ins read from
// /usr/lib/hostpilot/<program>.d (shipped), /run/hostpilot/<program>.d
// (runtime) and /etc/hostpilot/<program>.d (the administrator), in that order
// and by name within a directory; a later value replaces an earlier one key by
// key; a file named like one of an earlier directory replaces it whole (an
// empty one masks it). Flags on the command line override every file.
//
// Keys are the long flag names (`grpc-listen: 0.0.0.0:7070`, `group: [a=1]`);
// a mapping groups flags sharing a prefix (`git: {url: ..., ref: main}` is
// --git-url, --git-ref). The merged result is turned back into flags and
// parsed by the program's own parser, so one validation path serves both.
// YAML, not TOML: the `yaml` parser is already a dependency (resources), and
// it reports the line of every key for errors.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { UsageError, parseFlags } from './cli.js';

type Options = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;
type Value = string | boolean | string[];

export interface ConfigValue {
  value: Value;
  /** FILE:LINE, or "command line". */
  source: string;
}

export interface LayeredConfig {
  /** The merged settings as flags, for the program's parser. */
  argv: string[];
  values: Map<string, ConfigValue>;
  files: string[];
  printConfig: boolean;
  /** A parser error about a flag that came from a file, rewritten to name the file, line and key. */
  explain(err: unknown): unknown;
  /** --print-config: every setting with where it came from. */
  render(): string;
}

/** Flags every program taking config files accepts, handled here. */
export const CONFIG_FILE_OPTIONS = {
  'config-root': { type: 'string' },
  'print-config': { type: 'boolean' },
} as const;

export const CONFIG_FILE_USAGE = `  --print-config              print the merged settings (files, then flags) and where each came from [off]
  --config-root DIR           read the config directories under DIR (tests, images) [/]
`;

export function configDirs(program: string, root = '/'): string[] {
  return ['usr/lib/hostpilot', 'run/hostpilot', 'etc/hostpilot'].map((d) => join(root, d, `${program}.d`));
}

/** The drop-in files in effect, in the order they apply. */
export function configFiles(dirs: readonly string[]): string[] {
  const byName = new Map<string, string>();
  const order: string[] = [];
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') continue;
      throw new UsageError(`${dir}: ${(err as Error).message}`);
    }
    for (const name of names) {
      // Same name as an earlier directory's file: that file is replaced whole (an empty one masks it).
      if (!byName.has(name)) order.push(name);
      byName.set(name, join(dir, name));
    }
  }
  // Directory order first, then name: a later directory's new file applies after every earlier one.
  const dirOf = (name: string) => dirs.findIndex((d) => byName.get(name)!.startsWith(d + '/'));
  return order.sort((a, b) => dirOf(a) - dirOf(b) || (a < b ? -1 : a > b ? 1 : 0)).map((n) => byName.get(n)!);
}

function readFile(path: string, options: Options, into: Map<string, ConfigValue>): void {
  const text = readFileSync(path, 'utf8');
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const lineOf = (node: unknown) => {
    const range = (node as Node | null)?.range;
    return range ? lines.linePos(range[0]).line : 1;
  };
  if (doc.errors[0]) throw new UsageError(`${path}:${doc.errors[0].linePos?.[0]?.line ?? 1}: not valid YAML: ${doc.errors[0].message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`);
  if (doc.contents === null) return;
  if (!isMap(doc.contents)) throw new UsageError(`${path}:${lineOf(doc.contents)}: expected a mapping of settings`);
  const walk = (map: typeof doc.contents, prefix: string) => {
    for (const pair of map.items) {
      const keyNode = pair.key;
      const key = `${prefix}${isScalar(keyNode) ? String(keyNode.value) : ''}`;
      const where = `${path}:${lineOf(keyNode)}`;
      const value = pair.value;
      const option = options[key];
      if (isMap(value) && !option) {
        walk(value, `${key}-`);
        continue;
      }
      if (!option || key === 'help' || key === 'version' || key in CONFIG_FILE_OPTIONS) throw new UsageError(`${where}: ${key}: unknown key`);
      const fail = (what: string): never => {
        throw new UsageError(`${where}: ${key}: ${what}`);
      };
      let v: Value;
      if (option.type === 'boolean') {
        if (!isScalar(value) || typeof value.value !== 'boolean') fail('expected true or false');
        v = (value as { value: boolean }).value;
      } else if (isSeq(value)) {
        if (!option.multiple) fail('expected one value, not a list');
        v = value.items.map((item) => (isScalar(item) && item.value !== null && typeof item.value !== 'object' ? String(item.value) : fail('expected a list of plain values')));
      } else if (isScalar(value) && value.value !== null && typeof value.value !== 'object' && typeof value.value !== 'boolean') {
        v = option.multiple ? [String(value.value)] : String(value.value);
      } else {
        v = fail(option.multiple ? 'expected a value or a list of values' : 'expected a plain value');
      }
      into.set(key, { value: v, source: where });
    }
  };
  walk(doc.contents, '');
}

function toArgv(values: Map<string, ConfigValue>): string[] {
  const argv: string[] = [];
  for (const [key, { value }] of values) {
    if (value === true) argv.push(`--${key}`);
    else if (typeof value === 'string') argv.push(`--${key}=${value}`);
    else if (Array.isArray(value)) for (const v of value) argv.push(`--${key}=${v}`);
  }
  return argv;
}

/**
 * Reads the program's drop-ins and merges the command line over them. The
 * command line is checked against `options` first (a bad flag is a usage
 * error whatever the files say).
 */
export function layerConfig(program: string, argv: string[], options: Options): LayeredConfig {
  const cli = parseFlags(argv, { ...options, ...CONFIG_FILE_OPTIONS });
  const root = typeof cli.values['config-root'] === 'string' ? cli.values['config-root'] : '/';
  const files = cli.values.help ? [] : configFiles(configDirs(program, root));
  const values = new Map<string, ConfigValue>();
  for (const file of files) readFile(file, options, values);
  for (const [key, value] of Object.entries(cli.values)) {
    if (value === undefined || key in CONFIG_FILE_OPTIONS) continue;
    values.delete(key);
    values.set(key, { value: value as Value, source: 'command line' });
  }
  return {
    argv: toArgv(values),
    values,
    files,
    printConfig: cli.values['print-config'] === true,
    explain(err: unknown): unknown {
      const m = err instanceof Error ? /^--([a-z0-9-]+)(.*)$/s.exec(err.message) : null;
      const from = m ? values.get(m[1]!) : undefined;
      if (!m || !from || from.source === 'command line') return err;
      return new UsageError(`${from.source}: ${m[1]}${m[2]!.startsWith(':') ? '' : ':'}${m[2]}`);
    },
    render(): string {
      const lines = [`# ${program}: files in order (later wins key by key), then the command line`];
      for (const f of files) lines.push(`#   ${f}`);
      if (files.length === 0) lines.push(`#   (no files in ${configDirs(program, root).join(', ')})`);
      for (const [key, { value, source }] of [...values].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const shown = Array.isArray(value) ? `[${value.map((v) => JSON.stringify(v)).join(', ')}]` : typeof value === 'string' ? JSON.stringify(value) : String(value);
        lines.push(`${key}: ${shown}  # ${source}`);
      }
      lines.push('# every other setting: its default (see --help)');
      return lines.join('\n') + '\n';
    },
  };
}
