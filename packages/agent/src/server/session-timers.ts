import type { SessionEntry } from '@concord/state';
import { parseDuration } from '@concord/goflags';

/**
 * The leader's TTL timers: a TTL session not renewed within 2×TTL is destroyed. Timers restart
 * at full length when a leader takes over (or a server restarts), as Consul's do.
 */
export class SessionTimers {
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #expire: (id: string) => void;

  constructor(expire: (id: string) => void) {
    this.#expire = expire;
  }

  started(session: SessionEntry): void {
    this.renewed(session);
  }

  renewed(session: SessionEntry): void {
    this.stopped(session.ID);
    const ttl = session.TTL ? parseDuration(session.TTL) : undefined;
    if (!ttl) return;
    const timer = setTimeout(() => {
      this.#timers.delete(session.ID);
      this.#expire(session.ID);
    }, ttl * 2);
    timer.unref();
    this.#timers.set(session.ID, timer);
  }

  stopped(id: string): void {
    const t = this.#timers.get(id);
    if (t) clearTimeout(t);
    this.#timers.delete(id);
  }

  /** Re-arms every TTL session at full length (leadership acquired). */
  resetAll(sessions: readonly SessionEntry[]): void {
    this.clear();
    for (const s of sessions) this.renewed(s);
  }

  clear(): void {
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
  }
}
