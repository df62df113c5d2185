import type { CoreContext } from './core-context.js';
import type { MemberState } from './member-table.js';
import type { MemberUpdates } from './member-updates.js';
import type { PushPullState } from './messages.js';
import { pushPullScale } from './timing.js';

/**
 * Full-state exchange (push-pull): this member's table as sent, the periodic exchange with a
 * random live member (less often in large clusters), and memberlist's `mergeState` rules for
 * what a peer sends back; plus `restore` for a converged start.
 */
export class StateSync {
  readonly #ctx: CoreContext;
  readonly #updates: MemberUpdates;
  #nextPushPullAt: number;

  constructor(ctx: CoreContext, updates: MemberUpdates, firstPushPullAt: number) {
    this.#ctx = ctx;
    this.#updates = updates;
    this.#nextPushPullAt = firstPushPullAt;
  }

  nextDeadline(): number {
    return this.#nextPushPullAt;
  }

  /** Ask the driver for a push-pull with a random live member when one is due. */
  tick(now: number): void {
    const c = this.#ctx;
    if (now < this.#nextPushPullAt) return;
    this.#nextPushPullAt = now + pushPullScale(c.config.pushPullIntervalMs, c.members.liveCount);
    const peer = c.members.randomMembers(1, (m) => m.status === 'alive')[0];
    if (peer !== undefined) c.output({ kind: 'push-pull', to: { addr: peer.addr, port: peer.port }, join: false });
  }

  localState(): PushPullState[] {
    const out: PushPullState[] = [];
    for (const m of this.#ctx.members.values()) {
      out.push({ name: m.name, addr: m.addr, port: m.port, inc: m.inc, status: m.status, tags: m.tags });
    }
    return out;
  }

  /** Merge a peer's member list: alive as news, left as a leave, failed or suspect only as a suspicion. */
  merge(states: readonly PushPullState[]): void {
    const u = this.#updates;
    for (const r of states) {
      switch (r.status) {
        case 'alive':
          u.alive({ t: 'alive', node: r.name, inc: r.inc, addr: r.addr, port: r.port, tags: r.tags });
          break;
        case 'left':
          u.dead({ t: 'dead', node: r.name, inc: r.inc, from: r.name });
          break;
        case 'failed':
        case 'suspect':
          // A remote "dead" only makes us suspect: we check for ourselves.
          u.suspect({ t: 'suspect', node: r.name, inc: r.inc, from: this.#ctx.name });
          break;
      }
    }
  }

  /** Add members without broadcasting or emitting events. */
  restore(states: readonly PushPullState[]): void {
    const c = this.#ctx;
    for (const r of states) {
      if (r.name === c.name || c.members.has(r.name)) continue;
      // A restored suspect has no timer to resolve it; probing will find out.
      const status = r.status === 'suspect' ? 'alive' : r.status;
      const m: MemberState = { ...r, status, tags: { ...r.tags }, changedAt: c.now };
      c.members.insert(m);
    }
  }
}
