import { randomUUID } from 'node:crypto';

export interface UserEvent {
  ID: string;
  Name: string;
  /** Base64 payload, or null. */
  Payload: string | null;
  NodeFilter: string;
  ServiceFilter: string;
  TagFilter: string;
  Version: number;
  LTime: number;
}

/** The last 256 user events this agent has seen, with an agent-local index for blocking lists. */
export class EventBuffer {
  readonly #events: UserEvent[] = [];
  readonly #waiters = new Set<() => void>();
  #ltime = 0;
  #index = 0;

  fire(name: string, payload: Buffer, filters: { node: string; service: string; tag: string }): UserEvent {
    const event: UserEvent = {
      ID: randomUUID(),
      Name: name,
      Payload: payload.length ? payload.toString('base64') : null,
      NodeFilter: filters.node,
      ServiceFilter: filters.service,
      TagFilter: filters.tag,
      Version: 1,
      LTime: ++this.#ltime,
    };
    this.#events.push(event);
    if (this.#events.length > 256) this.#events.shift();
    this.#index++;
    for (const w of [...this.#waiters]) w();
    return event;
  }

  list(name?: string): { value: UserEvent[]; index: number; topics: string[] } {
    const value = name ? this.#events.filter((e) => e.Name === name) : [...this.#events];
    return { value, index: this.#index, topics: ['events'] };
  }

  watch(cb: () => void): () => void {
    const once = () => {
      this.#waiters.delete(once);
      cb();
    };
    this.#waiters.add(once);
    return () => this.#waiters.delete(once);
  }
}
