/** `/v1/operator`: raft configuration and autopilot health. */
import type { QueryOptions, WriteOptions } from './options.js';
import { queryParams, type Transport } from './transport.js';
import type { AutopilotHealth, RaftConfiguration } from './types.js';

export type RaftPeerSelector = { readonly id: string } | { readonly address: string };

export class Operator {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** The raft servers and which one leads. */
  raftConfiguration(options?: QueryOptions): Promise<RaftConfiguration> {
    return this.#t.json<RaftConfiguration>({
      method: 'GET',
      path: '/v1/operator/raft/configuration',
      params: queryParams(options),
      options,
    });
  }

  /** Removes a raft peer by server ID or by `ip:port` address. */
  raftRemovePeer(peer: RaftPeerSelector, options?: WriteOptions): Promise<void> {
    return this.#t.none({
      method: 'DELETE',
      path: '/v1/operator/raft/peer',
      params: 'id' in peer ? { id: peer.id } : { address: peer.address },
      options,
    });
  }

  /** Autopilot's view of server health (HTTP 429 when unhealthy still gives the body). */
  async autopilotHealth(options?: QueryOptions): Promise<AutopilotHealth> {
    const res = await this.#t.call(
      { method: 'GET', path: '/v1/operator/autopilot/health', params: queryParams(options), options },
      [429],
    );
    return JSON.parse(res.body.toString('utf8')) as AutopilotHealth;
  }
}
