/**
 * Other datacenters, seen from a server: which are known (by WAN gossip), in the order of their
 * estimated round trip, and sending a typed call to a server of one of them (Consul's
 * `forwardDC`). A call is moved to that datacenter's next server only when it certainly did not
 * reach the previous one, or when it only reads.
 */
import { NO_PATH_TO_DATACENTER, noPathToDatacenter } from '../errors/agent-error.js';
import type { CallReply__Output } from '../rpc/transport.js';
import { RpcError, safeToResend } from './rpc.js';
import type { WanMembership } from './wan-membership.js';

export { NO_PATH_TO_DATACENTER };
export interface DatacenterRouterOptions {
  /** This server's datacenter (lower case). */
  datacenter: string;
  /** The WAN pool, or undefined when it is off (`ports.serf_wan = -1`): no other datacenter is known. */
  wan: Pick<WanMembership, 'datacenters' | 'serversIn' | 'rttTo'> | undefined;
}

/** The `?dc=` of a request URL, lower-cased; '' when absent. */
export function requestedDatacenter(url: string): string {
  const q = url.indexOf('?');
  if (q === -1 || !url.includes('dc=', q)) return '';
  return (new URLSearchParams(url.slice(q + 1)).get('dc') ?? '').toLowerCase();
}

export class DatacenterRouter {
  readonly #o: DatacenterRouterOptions;

  constructor(o: DatacenterRouterOptions) {
    this.#o = o;
  }

  /** True when `dc` names a datacenter other than this one. */
  isRemote(dc: string | null | undefined): dc is string {
    return !!dc && dc.toLowerCase() !== this.#o.datacenter;
  }

  /** Every known datacenter: this one first, then the others by estimated round trip. */
  known(): string[] {
    const wan = this.#o.wan;
    if (!wan) return [this.#o.datacenter];
    const others = wan.datacenters().filter((dc) => dc !== this.#o.datacenter);
    const rtt = new Map(others.map((dc) => [dc, wan.rttTo(dc)]));
    others.sort((a, b) => (rtt.get(a) as number) - (rtt.get(b) as number) || (a < b ? -1 : a > b ? 1 : 0));
    return [this.#o.datacenter, ...others];
  }

  /** Sends a call to a server of `dc`; none reachable (or none known) is Consul's 500 No path to datacenter. */
  async call(dc: string, send: (address: string) => Promise<CallReply__Output>, idempotent: boolean): Promise<CallReply__Output> {
    const servers = this.#o.wan?.serversIn(dc) ?? [];
    for (const s of servers) {
      try {
        return await send(s.rpcAddr);
      } catch (err) {
        if (!safeToResend(err) && !(idempotent && err instanceof RpcError)) throw err;
      }
    }
    throw noPathToDatacenter();
  }
}
