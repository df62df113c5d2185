/** A leveled logger writing consul-template-style lines (`2026-12-07T14:00:00.000Z [INFO] message`). */

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'err'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Log {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function parseLogLevel(text: string): LogLevel {
  const level = text.trim().toLowerCase();
  const normalized = level === 'error' ? 'err' : level === 'warning' ? 'warn' : level;
  if (!(LOG_LEVELS as readonly string[]).includes(normalized)) throw new Error(`-log-level must be one of trace, debug, info, warn, err; got ${JSON.stringify(text)}`);
  return normalized as LogLevel;
}

export function createLog(level: LogLevel, write: (line: string) => void): Log {
  const at = LOG_LEVELS.indexOf(level);
  const line = (lvl: LogLevel, tag: string) => (message: string) => {
    if (LOG_LEVELS.indexOf(lvl) >= at) write(`${new Date().toISOString()} [${tag}] ${message}`);
  };
  return { debug: line('debug', 'DEBUG'), info: line('info', 'INFO'), warn: line('warn', 'WARN'), error: line('err', 'ERR') };
}
