/**
 * Requests for another datacenter, on a server: a request with `?dc=<other>` (or a catalog
 * write whose body names one) goes over the Forward RPC to a server of that datacenter found in
 * the WAN pool, alive servers first and the nearest first, as Consul's router picks them. The
 * remote server answers it as a request of its own datacenter (KV, sessions and snapshots stay
 * per datacenter). With no server of that datacenter reachable the answer is Consul's
 * `500 No path to datacenter`, at once.
 */
import type { BodyLimit } from '../http/body-limits.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from '../http/http-error.js';
import {
  MAX_HOPS,
  forwardTimeoutMs,
  forwardablePath,
  hopsOf,
  originNode,
  sendForwardError,
  rpcRequestWithBody,
  toRpcRequest,
  writeRpcResponse,
} from './http-forward.js';
import { type HttpRequest__Output, type HttpResponse__Output, type RpcClients, safeToResend } from './rpc.js';
import type { WanMembership } from './wan-membership.js';

export const NO_PATH_TO_DATACENTER = 'No path to datacenter';

export interface DatacenterRouterOptions {
  /** This server's datacenter (lower case). */
  datacenter: string;
  nodeName: string;
  /** The WAN pool, or undefined when it is off (`ports.serf_wan = -1`): no other datacenter is known. */
  wan: Pick<WanMembership, 'datacenters' | 'serversIn' | 'rttTo'> | undefined;
  rpc: Pick<RpcClients, 'forward'>;
  maxQueryTimeMs: number;
  defaultQueryTimeMs: number;
  /** The body limit of a request's route (the same limits as every other forward). */
  bodyLimit: (url: string) => BodyLimit;
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

  /**
   * Takes over a request whose `?dc=` names another datacenter; false leaves it to this
   * datacenter. Agent-local paths (`/v1/agent/*`, events) are never sent elsewhere.
   */
  routeHttp(req: IncomingMessage, res: ServerResponse): boolean {
    const url = req.url ?? '/';
    const dc = requestedDatacenter(url);
    if (!this.isRemote(dc) || !forwardablePath(url)) return false;
    void this.#forwardRequest(dc, req, res, undefined);
    return true;
  }

  /** Sends a request whose body was already read (and named `dc`) to that datacenter. */
  forwardWithBody(dc: string, req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    return this.#forwardRequest(dc.toLowerCase(), req, res, body);
  }

  async #forwardRequest(dc: string, req: IncomingMessage, res: ServerResponse, body: Buffer | undefined): Promise<void> {
    const ac = new AbortController();
    res.once('close', () => ac.abort());
    try {
      const hops = hopsOf(req);
      if (hops >= MAX_HOPS) throw new HttpError(500, NO_PATH_TO_DATACENTER);
      const origin = originNode(req, this.#o.nodeName);
      const rpcReq =
        body === undefined
          ? await toRpcRequest(req, hops + 1, this.#o.bodyLimit(req.url ?? '/'), origin)
          : rpcRequestWithBody(req, hops + 1, body, origin);
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const query = new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
      const timeout = forwardTimeoutMs(query, this.#o.maxQueryTimeMs, this.#o.defaultQueryTimeMs);
      writeRpcResponse(res, await this.forward(dc, rpcReq, timeout, ac.signal));
    } catch (err) {
      if (err instanceof HttpError) sendForwardError(res, err.status, err.message);
      else sendForwardError(res, 500, err instanceof Error ? err.message : String(err));
    }
  }

  /**
   * Sends one request to a server of `dc`, moving to the next server only when the call
   * certainly did not reach the previous one (so a write is never applied twice).
   */
  async forward(dc: string, req: HttpRequest__Output, timeoutMs: number, signal?: AbortSignal): Promise<HttpResponse__Output> {
    const servers = this.#o.wan?.serversIn(dc) ?? [];
    for (const s of servers) {
      try {
        return await this.#o.rpc.forward(s.rpcAddr, req, timeoutMs, signal);
      } catch (err) {
        if (!safeToResend(err) || signal?.aborted) throw err;
      }
    }
    throw new HttpError(500, NO_PATH_TO_DATACENTER);
  }

  /** A GET answered in `dc` (DNS for another datacenter); no path there is a 500 answer. */
  async get(dc: string, path: string): Promise<HttpResponse__Output> {
    try {
      return await this.forward(dc, { method: 'GET', path, headers: {}, body: Buffer.alloc(0), hops: 1 }, 10_000);
    } catch (err) {
      if (err instanceof HttpError && err.message === NO_PATH_TO_DATACENTER) return { status: 500, headers: {}, body: Buffer.from(NO_PATH_TO_DATACENTER) };
      throw err;
    }
  }
}
