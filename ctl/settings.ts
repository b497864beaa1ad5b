// Where hostpilotctl connects and how it prints, from (highest first) flags,
// the environment (HOSTPILOT_COORDINATOR, HOSTPILOT_TLS_CERT/KEY/CA,
// HOSTPILOT_CONTEXT), the config file's context, and defaults. Each setting
// is taken on its own, so a flag overrides one field of a context. An error
// names where the bad value came from.
import { parseHostPort } from '../common/address.js';
import { parseDuration } from '../common/duration.js';
import { InvalidArgumentError } from '../common/errors.js';
import { loadTls, type TlsMaterial } from '../common/tls.js';
import { defaultConfigPath, loadConfigFile, type CtlConfigFile, type CtlContextConfig } from './config-file.js';

export const OUTPUT_FORMATS = ['table', 'wide', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const DEFAULTS = { coordinator: '127.0.0.1:7070', timeout: '10s', output: 'table' } as const;

/** flag name → environment variable → config file key. */
const SOURCES = {
  coordinator: { flag: 'coordinator', env: 'HOSTPILOT_COORDINATOR', key: 'coordinator' },
  'tls-cert': { flag: 'tls-cert', env: 'HOSTPILOT_TLS_CERT', key: 'tlsCert' },
  'tls-key': { flag: 'tls-key', env: 'HOSTPILOT_TLS_KEY', key: 'tlsKey' },
  'tls-ca': { flag: 'tls-ca', env: 'HOSTPILOT_TLS_CA', key: 'tlsCa' },
  timeout: { flag: 'timeout', env: undefined, key: 'timeout' },
  output: { flag: 'output', env: undefined, key: 'output' },
} as const satisfies Record<string, { flag: string; env: string | undefined; key: keyof CtlContextConfig }>;

export interface CtlSettings {
  coordinator: string;
  /** Where `coordinator` came from: a flag, a variable or a config file key. */
  coordinatorSource: string;
  tls: TlsMaterial | undefined;
  timeoutMs: number;
  format: OutputFormat;
  /** The config file context in use, if any. */
  context?: string;
}

interface Value {
  value: string;
  source: string;
}

export function resolveSettings(flags: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): CtlSettings {
  const str = (name: string) => (typeof flags[name] === 'string' ? (flags[name] as string) : undefined);
  const configFlag = str('config');
  const file = loadConfigFile(configFlag ?? defaultConfigPath(env), configFlag !== undefined);
  const { name: contextName, context } = pickContext(file, str('context') ?? nonEmpty(env.HOSTPILOT_CONTEXT), str('context') !== undefined ? '--context' : 'HOSTPILOT_CONTEXT');

  const pick = (setting: keyof typeof SOURCES): Value | undefined => {
    const { flag, env: variable, key } = SOURCES[setting];
    const fromFlag = str(flag);
    if (fromFlag !== undefined) return { value: fromFlag, source: `--${flag}` };
    const fromEnv = variable ? nonEmpty(env[variable]) : undefined;
    if (fromEnv !== undefined && variable) return { value: fromEnv, source: variable };
    const fromFile = context?.[key];
    if (fromFile !== undefined) return { value: fromFile, source: `${file!.path}: contexts.${contextName}.${key}` };
    return undefined;
  };

  const coordinator = pick('coordinator') ?? { value: DEFAULTS.coordinator, source: '--coordinator' };
  parseHostPort(coordinator.value, coordinator.source);
  const timeout = pick('timeout') ?? { value: DEFAULTS.timeout, source: '--timeout' };
  const timeoutMs = parseDuration(timeout.value, timeout.source);
  const output = pick('output') ?? { value: DEFAULTS.output, source: '--output' };
  if (!(OUTPUT_FORMATS as readonly string[]).includes(output.value)) throw new InvalidArgumentError(output.source, `${JSON.stringify(output.value)} is not one of ${OUTPUT_FORMATS.join(', ')}`);
  const cert = pick('tls-cert');
  const key = pick('tls-key');
  const ca = pick('tls-ca');
  let tls: TlsMaterial | undefined;
  try {
    tls = loadTls({ cert: cert?.value, key: key?.value, ca: ca?.value });
  } catch (err) {
    const from = [cert, key, ca].filter((v) => v && !v.source.startsWith('--')).map((v) => v!.source);
    throw new InvalidArgumentError(from.length ? `TLS (from ${from.join(', ')})` : 'TLS', (err as Error).message);
  }
  return {
    coordinator: coordinator.value,
    coordinatorSource: coordinator.source,
    tls,
    timeoutMs,
    format: output.value as OutputFormat,
    ...(contextName !== undefined ? { context: contextName } : {}),
  };
}

function pickContext(file: CtlConfigFile | undefined, asked: string | undefined, askedBy: string): { name?: string; context?: CtlContextConfig } {
  if (asked !== undefined) {
    if (!file) throw new InvalidArgumentError(askedBy, `context ${JSON.stringify(asked)} asked for, but there is no config file (${defaultConfigPath()} or --config FILE)`);
    const context = file.contexts[asked];
    if (!context) throw new InvalidArgumentError(askedBy, `${JSON.stringify(asked)} is not a context in ${file.path} (${Object.keys(file.contexts).join(', ') || 'none'})`);
    return { name: asked, context };
  }
  if (file?.currentContext !== undefined) return { name: file.currentContext, context: file.contexts[file.currentContext]! };
  return {};
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}
