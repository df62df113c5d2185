/** `/v1/status`: raft leader and peers. */
import type { RequestOptions } from './options.js';
import type { Transport } from './transport.js';

export class Status {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** The leader's RPC address (`"10.0.0.11:8300"`), or `""` without a leader. */
  leader(options?: RequestOptions): Promise<string> {
    return this.#t.json<string>({ method: 'GET', path: '/v1/status/leader', options });
  }

  /** RPC addresses of the raft peers. */
  peers(options?: RequestOptions): Promise<string[]> {
    return this.#t.json<string[]>({ method: 'GET', path: '/v1/status/peers', options });
  }
}
