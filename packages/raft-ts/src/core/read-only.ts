import type { Message, NodeId } from './types.js';

export interface ReadIndexStatus {
  readonly index: number;
  readonly req: Message;
  readonly acks: Set<NodeId>;
}

/** ReadIndex requests waiting for a heartbeat round to confirm leadership, in arrival order. */
export class ReadOnly {
  readonly #pending = new Map<string, ReadIndexStatus>();
  #queue: string[] = [];

  addRequest(index: number, req: Message): void {
    if (this.#pending.has(req.context)) return;
    this.#pending.set(req.context, { index, req, acks: new Set() });
    this.#queue.push(req.context);
  }

  /** Record an acknowledgement; returns the acks so far, or undefined for an unknown context. */
  recvAck(from: NodeId, context: string): ReadonlySet<NodeId> | undefined {
    const rs = this.#pending.get(context);
    if (!rs) return undefined;
    rs.acks.add(from);
    return rs.acks;
  }

  /** Remove and return every request up to and including `context`. */
  advance(context: string): ReadIndexStatus[] {
    const i = this.#queue.indexOf(context);
    if (i < 0) return [];
    const done = this.#queue.slice(0, i + 1);
    this.#queue = this.#queue.slice(i + 1);
    const out: ReadIndexStatus[] = [];
    for (const ctx of done) {
      const rs = this.#pending.get(ctx);
      this.#pending.delete(ctx);
      if (rs) out.push(rs);
    }
    return out;
  }

  lastPendingContext(): string {
    return this.#queue.length > 0 ? this.#queue[this.#queue.length - 1]! : '';
  }

  size(): number {
    return this.#queue.length;
  }
}
