/** The sidecar's log: pino, JSON or human-readable, to stderr. */
import { pino, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];

export function createLogger(level: LogLevel = 'info', json = false): Logger {
  const base = { level, name: 'registrator' };
  if (json) return pino(base, pino.destination({ fd: 2, sync: false }));
  return pino(base, pinoPretty({ colorize: false, translateTime: 'SYS:standard', ignore: 'pid,hostname', destination: 2, sync: true }));
}
