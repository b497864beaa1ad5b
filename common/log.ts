// Structured logs on stdout: one JSON object a line (journald and Kubernetes
// log collectors keep it as-is), or `--log-format text` for a person at a
// terminal: `TIME LEVEL msg key=value ...`.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, unknown>;

export type LogFormat = 'json' | 'text';
export const LOG_FORMATS: readonly LogFormat[] = ['json', 'text'];

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
  format?: LogFormat;
}): Logger {
  const min = ORDER[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stdout.write(line + '\n'));
  const now = options.now ?? (() => new Date());
  const base = { component: options.component, ...options.base };
  const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (ORDER[level] < min) return;
    const record = { ...base, ...normalise(fields) };
    write(options.format === 'text' ? textLine(now(), level, msg, record) : JSON.stringify({ ts: now().toISOString(), level, msg, ...record }));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger({ ...options, base: { ...options.base, ...fields } }),
  };
}

function textLine(ts: Date, level: LogLevel, msg: string, fields: LogFields): string {
  const pairs = Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'string' && /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v)}`);
  return [ts.toISOString(), level.toUpperCase().padEnd(5), msg, ...pairs].join(' ');
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

export function parseLogFormat(text: string): LogFormat {
  if ((LOG_FORMATS as readonly string[]).includes(text)) return text as LogFormat;
  throw new Error(`--log-format: ${JSON.stringify(text)} is not one of ${LOG_FORMATS.join(', ')}`);
}

/** Without --log-format: text for a person at a terminal, JSON for journald, files and pipes. */
export function defaultLogFormat(stdoutIsTty = Boolean(process.stdout.isTTY)): LogFormat {
  return stdoutIsTty ? 'text' : 'json';
}
