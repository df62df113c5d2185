/**
 * Deadlines for many waiting requests with one timer per time slot instead of one per request:
 * a deadline is rounded up to the next multiple of `slotMs` (never early), and everything due in
 * a slot is handed to `onDue` when its timer fires. A Node timer per request costs a Timeout and,
 * with jittered deadlines (each a different duration), a timer list of its own. The timers do not
 * keep the process alive.
 *
 * A slot is a plain array and each item remembers its place in it (`SlotItem`), so that taking an
 * item off is a swap with the last one: no hash set entry per waiting request.
 */
export interface SlotItem {
  /** The slot number `add` returned, until the item is removed or due. */
  slot: number | undefined;
  /** Its place in the slot's array (kept by DeadlineSlots). */
  slotPos: number;
}

interface Slot<T> {
  items: T[];
  timer: NodeJS.Timeout;
}

export class DeadlineSlots<T extends SlotItem> {
  readonly #slotMs: number;
  readonly #onDue: (item: T) => void;
  readonly #slots = new Map<number, Slot<T>>();

  constructor(slotMs: number, onDue: (item: T) => void) {
    this.#slotMs = slotMs;
    this.#onDue = onDue;
  }

  /** Schedules `item` for `deadline` (epoch ms) and records its slot in `item.slot`. */
  add(item: T, deadline: number): void {
    const n = Math.ceil(deadline / this.#slotMs);
    let slot = this.#slots.get(n);
    if (!slot) {
      const timer = setTimeout(() => this.#fire(n), Math.max(0, n * this.#slotMs - Date.now()));
      timer.unref();
      slot = { items: [], timer };
      this.#slots.set(n, slot);
    }
    item.slot = n;
    item.slotPos = slot.items.length;
    slot.items.push(item);
  }

  /** Takes an item off its slot (it was answered before its deadline); a no-op when it has none. */
  remove(item: T): void {
    const n = item.slot;
    if (n === undefined) return;
    item.slot = undefined;
    const slot = this.#slots.get(n);
    if (!slot || slot.items[item.slotPos] !== item) return;
    const last = slot.items.pop() as T;
    if (last !== item) {
      slot.items[item.slotPos] = last;
      last.slotPos = item.slotPos;
    }
    if (slot.items.length > 0) return;
    clearTimeout(slot.timer);
    this.#slots.delete(n);
  }

  #fire(n: number): void {
    const slot = this.#slots.get(n);
    this.#slots.delete(n);
    if (!slot) return;
    for (const item of slot.items) {
      // an earlier item's onDue may have removed this one
      if (item.slot !== n) continue;
      item.slot = undefined;
      this.#onDue(item);
    }
  }
}
