import type { Coordinate } from './coordinate.js';
import { createPrng } from '@concord/simkit';
import { VivaldiClient } from './vivaldi.js';
import { GossipCoordinateError } from '../errors.js';

/** FNV-1a of a member name: a stable seed for its Vivaldi client. */
function nameSeed(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * A member's network coordinates: its own Vivaldi client, fed with the RTTs of its direct
 * probes, and the last coordinate each peer sent in an ack to one of them.
 */
export class MemberCoordinates {
  readonly #self: string;
  readonly #client: VivaldiClient;
  readonly #peers = new Map<string, Coordinate>();
  /** Acks whose coordinate or RTT the Vivaldi client refused. */
  rejects = 0;

  constructor(self: string) {
    this.#self = self;
    // Its own PRNG, seeded from the name, so coordinates never shift the probe order.
    this.#client = new VivaldiClient(createPrng(nameSeed(self)));
  }

  get own(): Coordinate {
    return this.#client.coordinate;
  }

  /** Our own coordinate for our name, else the last one `name` sent. */
  of(name: string): Coordinate | undefined {
    return name === this.#self ? this.#client.coordinate : this.#peers.get(name);
  }

  /** One direct-probe RTT (ms) to `name`, which answered with `coord`. */
  observe(name: string, coord: Coordinate, rttMs: number): void {
    try {
      this.#client.update(name, coord, rttMs / 1000);
      this.#peers.set(name, coord);
    } catch (err) {
      if (!(err instanceof GossipCoordinateError)) throw err;
      this.rejects += 1;
    }
  }

  /** Drops what is known of a member that is gone for good. */
  forget(name: string): void {
    this.#peers.delete(name);
    this.#client.forget(name);
  }
}
