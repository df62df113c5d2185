/**
 * Reconnect bookkeeping of one outbound connection of a transport: exponential backoff with
 * jitter after failures, an immediate retry once the peer is heard from, and one unreachable
 * report per failed attempt.
 */
export class ReconnectBackoff {
  #failures = 0;
  #retryAt = 0;
  #reported = false;

  constructor(
    readonly initialMs: number,
    readonly maxMs: number,
  ) {}

  /** The connection failed: the next attempt waits initialMs · 2^(failures−1), capped, with jitter. */
  failed(): void {
    this.#failures++;
    const backoff = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.#failures - 1, 10));
    this.#retryAt = performance.now() + backoff * (0.5 + Math.random() / 2);
  }

  /** Whether a new attempt must still wait. */
  waiting(): boolean {
    return performance.now() < this.#retryAt;
  }

  /** The peer was heard from (it reached us): the next attempt need not wait. */
  peerAlive(): void {
    if (this.#failures > 0) this.#retryAt = 0;
  }

  /** A new connection was opened. */
  opened(): void {
    this.#reported = false;
  }

  /** Something was written to the connection: the peer is reachable again. */
  written(): void {
    this.#failures = 0;
  }

  /** True the first time it is asked since the last connection was opened (report unreachable once). */
  reportOnce(): boolean {
    if (this.#reported) return false;
    this.#reported = true;
    return true;
  }
}
