import { type UserEvent, eventIndex } from './user-event.js';

/** How many events an agent remembers (Consul's `eventBuf` of 256). */
export const EVENT_BUFFER_SIZE = 256;

/** The events this agent received (each once), oldest first, and the waiters of blocking lists. */
export class EventBuffer {
  readonly #events: UserEvent[] = [];
  readonly #waiters = new Set<() => void>();

  /** Keeps `event`, dropping the oldest past EVENT_BUFFER_SIZE, and wakes blocking lists. */
  ingest(event: UserEvent): void {
    this.#events.push(event);
    if (this.#events.length > EVENT_BUFFER_SIZE) this.#events.shift();
    for (const w of [...this.#waiters]) w();
  }

  /**
   * The events (named `name`, when given) and their index: Consul's hash of the last listed
   * event's ID, or 1 when none is listed.
   */
  list(name?: string): { events: UserEvent[]; index: string } {
    const events = name ? this.#events.filter((e) => e.Name === name) : [...this.#events];
    const last = events[events.length - 1];
    return { events, index: last === undefined ? '1' : eventIndex(last.ID) };
  }

  /** Calls `cb` once at the next ingested event; returns a cancel function. */
  watch(cb: () => void): () => void {
    const once = () => {
      this.#waiters.delete(once);
      cb();
    };
    this.#waiters.add(once);
    return () => this.#waiters.delete(once);
  }
}
