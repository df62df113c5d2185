/** A min-heap of events ordered by (time, insertion sequence): ties replay in a fixed order. */
export class EventQueue {
  #heap: { time: number; seq: number; run: () => void }[] = [];
  #seq = 0;
  now = 0;

  schedule(delay: number, run: () => void): void {
    const ev = { time: this.now + Math.max(0, delay), seq: this.#seq++, run };
    const h = this.#heap;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.#less(h[p]!, h[i]!)) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }

  #less(a: { time: number; seq: number }, b: { time: number; seq: number }): boolean {
    return a.time < b.time || (a.time === b.time && a.seq < b.seq);
  }

  /** Run the next event; false when the queue is empty or the next event is after `until`. */
  runNext(until: number): boolean {
    const h = this.#heap;
    if (h.length === 0 || h[0]!.time > until) return false;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.#less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.#less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    this.now = top.time;
    top.run();
    return true;
  }
}
