// hostpilotctl's config file: named contexts, one per fleet, so production
// calls need no repeated flags (like kubectl's kubeconfig).
//
//   # ~/.config/hostpilot/ctl.yaml   ($XDG_CONFIG_HOME/hostpilot/ctl.yaml, or --config FILE)
//   currentContext: prod
//   contexts:
//     prod:
//       coordinator: coordinator.prod.example.com:7070
//       tlsCert: /etc/hostpilot/admin.crt   # relative paths are relative to this file
//       tlsKey: /etc/hostpilot/admin.key
//       tlsCa: /etc/hostpilot/ca.crt
//       timeout: 30s
//       output: table
//     lab:
//       coordinator: 127.0.0.1:7070
//
// YAML, read with the `yaml` package the resource files (`apply -f`) use too,
// so operators write one format. Keys are camelCase like every document
// hostpilot shapes; an unknown key is an error that names it.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { InvalidArgumentError } from '../common/errors.js';

export interface CtlContextConfig {
  coordinator?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  timeout?: string;
  output?: string;
}

export interface CtlConfigFile {
  path: string;
  currentContext?: string;
  contexts: Record<string, CtlContextConfig>;
}

const CONTEXT_KEYS: ReadonlyArray<keyof CtlContextConfig> = ['coordinator', 'tlsCert', 'tlsKey', 'tlsCa', 'timeout', 'output'];
const PATH_KEYS: ReadonlyArray<keyof CtlContextConfig> = ['tlsCert', 'tlsKey', 'tlsCa'];
const MAX_BYTES = 1 << 20;

/** Where the config file is when --config does not say: XDG_CONFIG_HOME (if absolute) or ~/.config. */
export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.config');
  return join(base, 'hostpilot', 'ctl.yaml');
}

/** Reads and checks a config file. `required`: a missing file is an error (it was named by --config). */
export function loadConfigFile(path: string, required: boolean): CtlConfigFile | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !required) return undefined;
    throw new InvalidArgumentError(path, `cannot read the config file: ${code ?? (err as Error).message}`);
  }
  if (text.length > MAX_BYTES) throw new InvalidArgumentError(path, `larger than ${MAX_BYTES} bytes`);
  let doc: unknown;
  try {
    doc = parse(text, { uniqueKeys: true });
  } catch (err) {
    throw new InvalidArgumentError(path, `not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  return checkConfig(doc ?? {}, path);
}

function checkConfig(doc: unknown, path: string): CtlConfigFile {
  const bad = (key: string, why: string) => new InvalidArgumentError(`${path}: ${key}`, why);
  if (!isRecord(doc)) throw new InvalidArgumentError(path, 'expected a mapping with currentContext and contexts');
  for (const key of Object.keys(doc)) if (key !== 'currentContext' && key !== 'contexts') throw bad(key, 'unknown key (expected currentContext, contexts)');
  const config: CtlConfigFile = { path, contexts: {} };
  if (doc.currentContext !== undefined) {
    if (typeof doc.currentContext !== 'string' || !doc.currentContext) throw bad('currentContext', 'expected a context name');
    config.currentContext = doc.currentContext;
  }
  const contexts = doc.contexts ?? {};
  if (!isRecord(contexts)) throw bad('contexts', 'expected a mapping of context names');
  for (const [name, raw] of Object.entries(contexts)) {
    const where = `contexts.${name}`;
    if (!isRecord(raw)) throw bad(where, 'expected a mapping');
    const context: CtlContextConfig = {};
    for (const [key, value] of Object.entries(raw)) {
      if (!(CONTEXT_KEYS as readonly string[]).includes(key)) throw bad(`${where}.${key}`, `unknown key (expected ${CONTEXT_KEYS.join(', ')})`);
      if (typeof value !== 'string' || !value) throw bad(`${where}.${key}`, 'expected a non-empty string');
      const k = key as keyof CtlContextConfig;
      context[k] = PATH_KEYS.includes(k) ? resolve(dirname(path), value) : value;
    }
    config.contexts[name] = context;
  }
  if (config.currentContext !== undefined && !(config.currentContext in config.contexts)) throw bad('currentContext', `${JSON.stringify(config.currentContext)} is not one of the contexts (${Object.keys(config.contexts).join(', ') || 'none'})`);
  return config;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
