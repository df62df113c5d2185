import type { CoreContext } from './core-context.js';
import type { MemberState } from './member-table.js';

/**
 * Serf's upkeep of failed and left members: now and then a push-pull with a random failed member
 * (it may be back), and reaping failed members after the reconnect timeout and left ones after
 * the tombstone window.
 */
export class SerfUpkeep {
  readonly #ctx: CoreContext;
  #nextReapAt: number;
  #nextReconnectAt: number;

  constructor(ctx: CoreContext, firstReapAt: number, firstReconnectAt: number) {
    this.#ctx = ctx;
    this.#nextReapAt = firstReapAt;
    this.#nextReconnectAt = firstReconnectAt;
  }

  nextDeadline(): number {
    return Math.min(this.#nextReapAt, this.#nextReconnectAt);
  }

  tick(now: number): void {
    const cfg = this.#ctx.config;
    if (now >= this.#nextReconnectAt) {
      this.#nextReconnectAt = now + cfg.reconnectIntervalMs;
      this.#reconnect();
    }
    if (now >= this.#nextReapAt) {
      this.#nextReapAt = now + cfg.reapIntervalMs;
      this.#reap();
    }
  }

  #reconnect(): void {
    const c = this.#ctx;
    if (c.members.failedCount === 0) return;
    // Serf: about one attempt per failed member per interval across the cluster.
    const prob = c.members.failedCount / Math.max(1, c.members.liveCount);
    if (c.rng.next() > prob) return;
    const failed: MemberState[] = [];
    for (const m of c.members.values()) if (m.status === 'failed') failed.push(m);
    const pick = failed[c.rng.int(failed.length)];
    if (pick !== undefined) c.output({ kind: 'push-pull', to: { addr: pick.addr, port: pick.port }, join: false });
  }

  #reap(): void {
    const c = this.#ctx;
    const now = c.now;
    for (const m of [...c.members.values()]) {
      const limit = m.status === 'failed' ? c.config.reconnectTimeoutMs : m.status === 'left' ? c.config.tombstoneTimeoutMs : undefined;
      if (limit === undefined || m.name === c.name || now - m.changedAt < limit) continue;
      c.members.remove(m);
      c.emit('reap', m);
    }
  }
}
