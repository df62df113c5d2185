/**
 * One-shot watches on the agent's own services, by service ID: a watcher wakes when that
 * service's definition is replaced or the service is removed (hash-based blocking of
 * `/v1/agent/service/<id>`). Watchers of other services are not woken.
 */
export class ServiceWatches {
  readonly #byId = new Map<string, Set<() => void>>();

  /** Number of waiting watchers (for tests and metrics). */
  get size(): number {
    let n = 0;
    for (const set of this.#byId.values()) n += set.size;
    return n;
  }

  /** Calls `cb` once, at the next change of service `id`. Returns a cancel function. */
  watch(id: string, cb: () => void): () => void {
    let set = this.#byId.get(id);
    if (!set) {
      set = new Set();
      this.#byId.set(id, set);
    }
    const entry = (): void => cb();
    set.add(entry);
    return () => {
      const current = this.#byId.get(id);
      if (!current?.delete(entry)) return;
      if (current.size === 0) this.#byId.delete(id);
    };
  }

  /** Wakes (and drops) every watcher of service `id`. */
  changed(id: string): void {
    const set = this.#byId.get(id);
    if (!set) return;
    this.#byId.delete(id);
    for (const cb of set) cb();
  }
}
