/** `/v1/operator`: raft configuration and autopilot health. */
import type { QueryOptions, WriteOptions } from './options.js';
import { queryParams, type Transport } from './transport.js';
import type { AutopilotConfiguration, AutopilotHealth, AutopilotState, RaftConfiguration } from './types.js';

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
    const res = await this.#t.call({ method: 'GET', path: '/v1/operator/autopilot/health', params: queryParams(options), options }, [429]);
    return JSON.parse(res.body.toString('utf8')) as AutopilotHealth;
  }

  /** Autopilot's replicated settings. */
  autopilotGetConfiguration(options?: QueryOptions): Promise<AutopilotConfiguration> {
    return this.#t.json<AutopilotConfiguration>({
      method: 'GET',
      path: '/v1/operator/autopilot/configuration',
      params: queryParams(options),
      options,
    });
  }

  /** Stores autopilot's settings; with `cas` (a ModifyIndex) answers whether they were stored. */
  autopilotSetConfiguration(config: AutopilotConfiguration, cas?: number, options?: WriteOptions): Promise<boolean> {
    return this.#t.bool({
      method: 'PUT',
      path: '/v1/operator/autopilot/configuration',
      params: cas === undefined ? {} : { cas },
      json: config,
      options,
    });
  }

  /** Autopilot's view of the servers (`/v1/operator/autopilot/state`). */
  autopilotState(options?: QueryOptions): Promise<AutopilotState> {
    return this.#t.json<AutopilotState>({ method: 'GET', path: '/v1/operator/autopilot/state', params: queryParams(options), options });
  }

  /** Hands raft leadership to the server `id`, or to any other up-to-date voter. */
  async raftTransferLeader(id?: string, options?: WriteOptions): Promise<boolean> {
    const reply = await this.#t.json<{ Success: boolean }>({
      method: 'PUT',
      path: '/v1/operator/raft/transfer-leader',
      params: id ? { id } : {},
      options,
    });
    return reply.Success;
  }
}
