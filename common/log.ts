// Structured logs: one JSON object a line on stdout, which journald and
// Kubernetes log collectors keep as-is.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export function createLogger(options: {
  component: string;
  level?: LogLevel;
  write?: (line: string) => void;
  now?: () => Date;
  base?: LogFields;
}): Logger {
  const min = ORDER[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stdout.write(line + '\n'));
  const now = options.now ?? (() => new Date());
  const base = { component: options.component, ...options.base };
  const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (ORDER[level] < min) return;
    write(JSON.stringify({ ts: now().toISOString(), level, msg, ...base, ...normalise(fields) }));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger({ ...options, base: { ...options.base, ...fields } }),
  };
}

function normalise(fields: LogFields | undefined): LogFields | undefined {
  if (!fields) return fields;
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields)) out[k] = v instanceof Error ? { name: v.name, message: v.message, ...('kind' in v ? { kind: v.kind } : {}) } : v;
  return out;
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLogger,
};

export function parseLogLevel(text: string): LogLevel {
  if (text in ORDER) return text as LogLevel;
  throw new Error(`--log-level: ${JSON.stringify(text)} is not one of debug, info, warn, error`);
}
