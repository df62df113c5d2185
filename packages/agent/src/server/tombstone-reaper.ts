import type { Command, StateStore } from '@concord/state';
import type { Logger } from 'pino';

/**
 * Reaps KV tombstones once they have been visible for `ttlMs` (Consul's tombstone_ttl, 15m):
 * it samples the log index every `granularityMs` and reaps up to the newest sample that is old enough.
 */
export class TombstoneReaper {
  readonly #samples: { at: number; index: number }[] = [];
  readonly #timer: NodeJS.Timeout;

  constructor(state: StateStore, write: (c: Command) => Promise<unknown>, logger: Logger, ttlMs = 15 * 60_000, granularityMs = 30_000) {
    this.#timer = setInterval(() => {
      const now = Date.now();
      this.#samples.push({ at: now, index: state.lastIndex });
      let upTo = 0;
      while (this.#samples.length > 0 && now - (this.#samples[0] as { at: number }).at >= ttlMs) {
        upTo = (this.#samples.shift() as { index: number }).index;
      }
      if (upTo > 0 && state.tombstoneCount() > 0) {
        write({ type: 'tombstone-reap', upTo }).catch((err: unknown) => logger.warn({ err: String(err) }, 'tombstone reap failed'));
      }
    }, granularityMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
