import type { Message, NodeId } from '../core/types.js';
import type { Transport, TransportHandler } from './transport.js';

/** An in-process network for tests: delivers on the next event-loop turn; links can be cut. */
export class MemoryNetwork {
  readonly #handlers = new Map<NodeId, TransportHandler>();
  readonly #cut = new Set<string>();

  transport(id: NodeId): Transport {
    return {
      start: async (handler) => {
        this.#handlers.set(id, handler);
      },
      send: (m) => this.#send(m),
      close: async () => {
        this.#handlers.delete(id);
      },
    };
  }

  /** Drop traffic between `a` and `b` in both directions until heal(). */
  cut(a: NodeId, b: NodeId): void {
    this.#cut.add(`${a}>${b}`).add(`${b}>${a}`);
  }

  heal(): void {
    this.#cut.clear();
  }

  #send(m: Message): void {
    setImmediate(() => {
      const h = this.#handlers.get(m.to);
      const ok = h !== undefined && !this.#cut.has(`${m.from}>${m.to}`);
      if (ok) h.onMessage(m);
      if (m.type === 'snap') this.#handlers.get(m.from)?.onSnapshotStatus(m.to, ok);
    });
  }
}
