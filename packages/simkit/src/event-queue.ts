/**
 * A binary min-heap of timed values ordered by (time, insertion sequence): values due at the same
 * time come out in the order they were pushed, so a run replays exactly.
 */
export class EventQueue<T> {
  #heap: { at: number; seq: number; value: T }[] = [];
  #seq = 0;

  get size(): number {
    return this.#heap.length;
  }

  push(at: number, value: T): void {
    const h = this.#heap;
    h.push({ at, seq: this.#seq++, value });
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(i, parent)) break;
      this.#swap(i, parent);
      i = parent;
    }
  }

  /** Time of the earliest value; +∞ when empty. */
  peekTime(): number {
    return this.#heap[0]?.at ?? Number.POSITIVE_INFINITY;
  }

  /** The earliest value, left in the queue. */
  peek(): T | undefined {
    return this.#heap[0]?.value;
  }

  pop(): { at: number; value: T } | undefined {
    const h = this.#heap;
    const top = h[0];
    if (top === undefined) return undefined;
    const last = h.pop();
    if (h.length > 0 && last !== undefined) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.#less(l, m)) m = l;
        if (r < h.length && this.#less(r, m)) m = r;
        if (m === i) break;
        this.#swap(i, m);
        i = m;
      }
    }
    return { at: top.at, value: top.value };
  }

  #less(a: number, b: number): boolean {
    const x = this.#heap[a];
    const y = this.#heap[b];
    if (x === undefined || y === undefined) return false;
    return x.at < y.at || (x.at === y.at && x.seq < y.seq);
  }

  #swap(a: number, b: number): void {
    const h = this.#heap;
    const tmp = h[a];
    h[a] = h[b] as (typeof h)[number];
    h[b] = tmp as (typeof h)[number];
  }
}
