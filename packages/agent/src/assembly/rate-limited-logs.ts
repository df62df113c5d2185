/** Log lines for events that may repeat often: refused connections, failures retried every few seconds. */
import type { Logger } from 'pino';

/** Logs refused RPC connections at most once a minute, with how many were refused since. */
export function refusalLogger(logger: Logger, message: string): (remote: string) => void {
  let last = 0;
  let refused = 0;
  return (remote) => {
    refused++;
    const now = Date.now();
    if (now - last < 60_000) return;
    last = now;
    logger.warn({ remote, refused }, message);
    refused = 0;
  };
}

/**
 * A logger for a failure retried every few seconds (a client alone, not joined yet, finds no
 * server): an error is a warning, the same error again within 5 minutes only debug.
 */
export function warnOnceThenDebug(logger: Logger, msg: string): (err: unknown) => void {
  let last: string | undefined;
  let warnedAt = 0;
  return (err) => {
    const text = String(err);
    if (text === last && Date.now() - warnedAt < 300_000) {
      logger.debug({ err: text }, msg);
      return;
    }
    logger.warn({ err: text }, msg);
    last = text;
    warnedAt = Date.now();
  };
}
