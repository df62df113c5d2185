/**
 * Topic-based watches for blocking queries. A query names the topics it read; a mutation
 * touches topics; only watchers of a touched topic wake. KV prefix watchers subscribe to
 * `kvp:<prefix>`, and a change to key k wakes every `kvp:` topic that is a prefix of k.
 */
export type WatchCallback = () => void;

export const topics = {
  kvKey: (key: string) => `kv:${key}`,
  kvPrefix: (prefix: string) => `kvp:${prefix}`,
  table: (name: TableName) => `t:${name}`,
  service: (name: string) => `svc:${name}`,
  node: (name: string) => `node:${name}`,
  session: (id: string) => `sess:${id}`,
} as const;

export type TableName = 'kvs' | 'sessions' | 'nodes' | 'services' | 'checks' | 'coordinates' | 'prepared-queries' | 'acl-tokens' | 'acl-policies' | 'acl-roles';

export class WatchHub {
  readonly #watchers = new Map<string, Set<WatchCallback>>();
  #prefixWatchers = 0;

  get size(): number {
    let n = 0;
    for (const set of this.#watchers.values()) n += set.size;
    return n;
  }

  /** Calls `cb` once, the first time any of `topicList` is touched. Returns a cancel function. */
  watch(topicList: readonly string[], cb: WatchCallback): () => void {
    let fired = false;
    const once: WatchCallback = () => {
      if (fired) return;
      fired = true;
      cancel();
      cb();
    };
    for (const t of topicList) {
      let set = this.#watchers.get(t);
      if (!set) {
        set = new Set();
        this.#watchers.set(t, set);
      }
      set.add(once);
      if (t.startsWith('kvp:')) this.#prefixWatchers++;
    }
    const cancel = () => {
      for (const t of topicList) {
        const set = this.#watchers.get(t);
        if (set?.delete(once)) {
          if (t.startsWith('kvp:')) this.#prefixWatchers--;
          if (set.size === 0) this.#watchers.delete(t);
        }
      }
    };
    return () => {
      fired = true;
      cancel();
    };
  }

  /** Wakes every watcher (the whole state was replaced). */
  notifyAll(): void {
    const wake = new Set<WatchCallback>();
    for (const set of this.#watchers.values()) for (const cb of set) wake.add(cb);
    for (const cb of wake) cb();
  }

  /** Wakes the watchers of the given topics (and of every prefix of touched KV keys). */
  notify(touched: Iterable<string>): void {
    if (this.#watchers.size === 0) return;
    const wake: WatchCallback[] = [];
    const collect = (t: string) => {
      const set = this.#watchers.get(t);
      if (set) for (const cb of set) wake.push(cb);
    };
    for (const t of touched) {
      collect(t);
      if (this.#prefixWatchers > 0 && t.startsWith('kv:')) {
        const key = t.slice(3);
        for (let i = 0; i <= key.length; i++) collect(`kvp:${key.slice(0, i)}`);
      }
    }
    for (const cb of wake) cb();
  }
}
