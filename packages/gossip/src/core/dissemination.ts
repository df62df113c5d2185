import { BroadcastQueue } from './broadcast-queue.js';
import type { CoreContext } from './core-context.js';
import type { BroadcastMessage, Endpoint, PacketMessage, UserEventMessage } from './messages.js';
import { COMPOUND_HEADER_BYTES, COMPOUND_PER_MESSAGE_BYTES, encodedSize } from './messages.js';

/**
 * Spreading news: the limited-retransmit broadcast queue of membership changes and Serf's own
 * queue of user events (sent after them), piggybacked on every packet the member sends, and the
 * gossip rounds that send them to `GossipNodes` random members every `GossipInterval`.
 */
export class Dissemination {
  readonly #ctx: CoreContext;
  readonly #members: BroadcastQueue;
  /** Serf keeps user events in a queue of their own, sent after membership broadcasts. */
  readonly #events: BroadcastQueue<UserEventMessage>;
  #nextEventKey = 0;
  #nextGossipAt: number;

  constructor(ctx: CoreContext, firstGossipAt: number) {
    this.#ctx = ctx;
    this.#members = new BroadcastQueue(ctx.config.retransmitMult, ctx.config.maxQueueDepth);
    this.#events = new BroadcastQueue<UserEventMessage>(ctx.config.retransmitMult, ctx.config.maxQueueDepth);
    this.#nextGossipAt = firstGossipAt;
  }

  /** Broadcasts waiting, membership and user events. */
  get pending(): number {
    return this.#members.length + this.#events.length;
  }

  get pendingUserEvents(): number {
    return this.#events.length;
  }

  /** Queue a membership change about `member`; it replaces an older one about the same member. */
  queueMember(member: string, msg: BroadcastMessage): void {
    this.#members.queue(member, msg);
  }

  /** Queue a user event; events never replace one another. */
  queueUserEvent(msg: UserEventMessage): void {
    this.#events.queue(`ev:${++this.#nextEventKey}`, msg);
  }

  /** Send `msgs` in one compound packet, filling the rest of it with broadcasts. */
  send(to: Endpoint, msgs: PacketMessage[]): void {
    const c = this.#ctx;
    let used = COMPOUND_HEADER_BYTES + c.packetOverhead;
    for (const m of msgs) used += encodedSize(m) + COMPOUND_PER_MESSAGE_BYTES;
    const extra: readonly PacketMessage[] = this.pending > 0 ? this.#broadcasts(c.config.udpBufferSize - used) : [];
    const all: PacketMessage[] = extra.length > 0 ? [...msgs, ...extra] : msgs;
    c.output({ kind: 'packet', to: { addr: to.addr, port: to.port }, msgs: all });
  }

  /** Run a gossip round when one is due. */
  tick(now: number): void {
    if (now < this.#nextGossipAt) return;
    this.#nextGossipAt = this.#align(now + 1);
    this.#gossip();
  }

  /** When the next gossip round is due; +∞ while nothing waits to be sent. */
  nextDeadline(): number {
    return this.pending > 0 ? this.#align(this.#ctx.now) : Number.POSITIVE_INFINITY;
  }

  #gossip(): void {
    if (this.pending === 0) return;
    const c = this.#ctx;
    const now = c.now;
    const targets = c.members.randomMembers(c.config.gossipNodes, (m) => {
      if (m.status === 'alive' || m.status === 'suspect') return true;
      return m.status === 'failed' && now - m.changedAt < c.config.gossipToTheDeadMs;
    });
    const budget = c.config.udpBufferSize - COMPOUND_HEADER_BYTES - c.packetOverhead;
    for (const t of targets) {
      const msgs = this.#broadcasts(budget);
      if (msgs.length === 0) break;
      c.output({ kind: 'packet', to: { addr: t.addr, port: t.port }, msgs });
    }
  }

  /** Up to `limit` bytes of broadcasts: membership first, then user events in what is left. */
  #broadcasts(limit: number): PacketMessage[] {
    const n = this.#ctx.members.liveCount;
    const members: PacketMessage[] = this.#members.length > 0 ? this.#members.get(COMPOUND_PER_MESSAGE_BYTES, limit, n) : [];
    if (this.#events.length === 0) return members;
    let used = 0;
    for (const m of members) used += encodedSize(m) + COMPOUND_PER_MESSAGE_BYTES;
    const events = this.#events.get(COMPOUND_PER_MESSAGE_BYTES, limit - used, n);
    return events.length === 0 ? members : [...members, ...events];
  }

  /** The first gossip tick at or after `now` on the member's gossip grid. */
  #align(now: number): number {
    const iv = this.#ctx.config.gossipIntervalMs;
    if (this.#nextGossipAt >= now) return this.#nextGossipAt;
    return this.#nextGossipAt + Math.ceil((now - this.#nextGossipAt) / iv) * iv;
  }
}
