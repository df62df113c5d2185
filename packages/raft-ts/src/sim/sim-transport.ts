import type { SimNetwork } from '@concord/simkit';
import type { Message, NodeId } from '../core/types.js';
import type { Transport, TransportHandler } from '../driver/transport.js';

/** Where a simulated transport hands an arriving message: the receiver's current process. */
export type Deliver = (m: Message) => void;

/**
 * One process's transport on the simulated network: every message is one datagram (delayed,
 * lost, duplicated, cut by partitions); a snapshot's outcome is reported back to the sender as a
 * streaming transport would.
 */
export class SimTransport implements Transport {
  readonly #net: SimNetwork;
  readonly #deliver: Deliver;
  #handler: TransportHandler | undefined;

  constructor(net: SimNetwork, deliver: Deliver) {
    this.#net = net;
    this.#deliver = deliver;
  }

  /** The handler RaftNode registered (undefined before start and after close). */
  get handler(): TransportHandler | undefined {
    return this.#handler;
  }

  async start(handler: TransportHandler): Promise<void> {
    this.#handler = handler;
  }

  send(m: Message): void {
    const onOutcome = m.type === 'snap' ? (ok: boolean) => this.#handler?.onSnapshotStatus(m.to as NodeId, ok) : undefined;
    this.#net.send(m.from, m.to, () => this.#deliver(m), onOutcome);
  }

  async close(): Promise<void> {
    this.#handler = undefined;
  }
}
