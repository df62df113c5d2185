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

/** One `watch` call: the callback, the topics it is filed under, and whether it already ran. */
class Watcher {
  fired = false;
  constructor(
    readonly topics: readonly string[],
    readonly cb: WatchCallback,
  ) {}
}

export class WatchHub {
  // Each watcher is one small object filed under its topics (no closures per topic): many
  // thousand blocking queries on one key cost little more than their entries in one set.
  readonly #watchers = new Map<string, Set<Watcher>>();
  #prefixWatchers = 0;

  get size(): number {
    let n = 0;
    for (const set of this.#watchers.values()) n += set.size;
    return n;
  }

  /** Calls `cb` once, the first time any of `topicList` is touched. Returns a cancel function. */
  watch(topicList: readonly string[], cb: WatchCallback): () => void {
    const w = new Watcher(topicList, cb);
    for (const t of topicList) {
      let set = this.#watchers.get(t);
      if (!set) {
        set = new Set();
        this.#watchers.set(t, set);
      }
      set.add(w);
      if (t.startsWith('kvp:')) this.#prefixWatchers++;
    }
    return () => {
      w.fired = true;
      this.#remove(w);
    };
  }

  #remove(w: Watcher): void {
    for (const t of w.topics) {
      const set = this.#watchers.get(t);
      if (set?.delete(w)) {
        if (t.startsWith('kvp:')) this.#prefixWatchers--;
        if (set.size === 0) this.#watchers.delete(t);
      }
    }
  }

  #fire(woken: Iterable<Watcher>): void {
    for (const w of woken) {
      if (w.fired) continue;
      w.fired = true;
      this.#remove(w);
      w.cb();
    }
  }

  /** Wakes every watcher (the whole state was replaced). */
  notifyAll(): void {
    const wake = new Set<Watcher>();
    for (const set of this.#watchers.values()) for (const w of set) wake.add(w);
    this.#fire(wake);
  }

  /** Wakes the watchers of the given topics (and of every prefix of touched KV keys). */
  notify(touched: Iterable<string>): void {
    if (this.#watchers.size === 0) return;
    const wake: Watcher[] = [];
    const collect = (t: string) => {
      const set = this.#watchers.get(t);
      if (set) for (const w of set) wake.push(w);
    };
    for (const t of touched) {
      collect(t);
      if (this.#prefixWatchers > 0 && t.startsWith('kv:')) {
        const key = t.slice(3);
        for (let i = 0; i <= key.length; i++) collect(`kvp:${key.slice(0, i)}`);
      }
    }
    this.#fire(wake);
  }
}
