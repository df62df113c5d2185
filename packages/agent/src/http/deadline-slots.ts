/**
 * Deadlines for many waiting requests with one timer per time slot instead of one per request:
 * a deadline is rounded up to the next multiple of `slotMs` (never early), and everything due in
 * a slot is handed to `onDue` when its timer fires. A Node timer per request costs a Timeout and,
 * with jittered deadlines (each a different duration), a timer list of its own. The timers do not
 * keep the process alive.
 */
interface Slot<T> {
  items: Set<T>;
  timer: NodeJS.Timeout;
}

export class DeadlineSlots<T> {
  readonly #slotMs: number;
  readonly #onDue: (item: T) => void;
  readonly #slots = new Map<number, Slot<T>>();

  constructor(slotMs: number, onDue: (item: T) => void) {
    this.#slotMs = slotMs;
    this.#onDue = onDue;
  }

  /** Schedules `item` for `deadline` (epoch ms); returns its slot number, for `remove`. */
  add(item: T, deadline: number): number {
    const n = Math.ceil(deadline / this.#slotMs);
    let slot = this.#slots.get(n);
    if (!slot) {
      const timer = setTimeout(() => this.#fire(n), Math.max(0, n * this.#slotMs - Date.now()));
      timer.unref();
      slot = { items: new Set(), timer };
      this.#slots.set(n, slot);
    }
    slot.items.add(item);
    return n;
  }

  /** Takes an item off the slot `add` returned (it was answered before its deadline). */
  remove(item: T, n: number): void {
    const slot = this.#slots.get(n);
    if (!slot?.items.delete(item) || slot.items.size > 0) return;
    clearTimeout(slot.timer);
    this.#slots.delete(n);
  }

  #fire(n: number): void {
    const slot = this.#slots.get(n);
    this.#slots.delete(n);
    if (slot) for (const item of slot.items) this.#onDue(item);
  }
}
