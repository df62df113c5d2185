/**
 * Runs tasks one at a time per key, in order, coalescing: a request made while
 * a task for the key is running schedules exactly one more run, however many
 * requests arrive, and every caller's promise settles after a run that started
 * after its request. This is what keeps a container's die/start handling ordered.
 */
export class KeyedQueue {
  readonly #slots = new Map<string, { running: Promise<void>; next?: Promise<void> }>();

  run(key: string, task: () => Promise<void>): Promise<void> {
    const slot = this.#slots.get(key);
    if (!slot) {
      const running = this.#start(key, task);
      this.#slots.set(key, { running });
      return running;
    }
    if (slot.next) return slot.next;
    const next = slot.running
      .catch(() => undefined)
      .then(() => {
        const s = this.#slots.get(key);
        if (s) s.next = undefined;
        return this.#start(key, task);
      });
    slot.next = next;
    return next;
  }

  /** Keys with a task running or scheduled. */
  get size(): number {
    return this.#slots.size;
  }

  /** Resolves once nothing is running or scheduled. */
  async idle(): Promise<void> {
    while (this.#slots.size > 0) await Promise.allSettled([...this.#slots.values()].map((s) => s.next ?? s.running));
  }

  #start(key: string, task: () => Promise<void>): Promise<void> {
    const holder: { running?: Promise<void> } = {};
    const running = (async () => {
      try {
        await task();
      } finally {
        const s = this.#slots.get(key);
        if (s && s.running === holder.running && !s.next) this.#slots.delete(key);
      }
    })();
    holder.running = running;
    const slot = this.#slots.get(key);
    if (slot) slot.running = running;
    return running;
  }
}

/** At most `limit` tasks at once, the rest wait in arrival order. */
export class Limiter {
  readonly #limit: number;
  #active = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(limit: number) {
    this.#limit = limit;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.#limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#active++;
    try {
      return await task();
    } finally {
      this.#active--;
      this.#waiting.shift()?.();
    }
  }
}
