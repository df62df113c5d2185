/**
 * Serf's Lamport clock: `time` is the next time to hand out; `increment` moves past it, and
 * `witness` moves it past a time seen in a message, so every time handed out afterwards is
 * later than anything this member has seen.
 */
export class LamportClock {
  #time = 0;

  get time(): number {
    return this.#time;
  }

  /** Moves to the next time and returns it. */
  increment(): number {
    this.#time += 1;
    return this.#time;
  }

  /** Moves past `seen` if it is not already later. */
  witness(seen: number): void {
    if (seen >= this.#time) this.#time = seen + 1;
  }
}
