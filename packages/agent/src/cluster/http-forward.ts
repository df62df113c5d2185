/**
 * Moving HTTP API requests between agents. A client agent sends every request about the
 * replicated state to a server; a follower sends the ones that need the leader (writes, default
 * and consistent reads) to the leader. The request travels over the `Forward` RPC and the
 * receiving server replays it against its own HTTP listener on loopback, so it is answered by
 * exactly the code a direct request would reach.
 */
import { type Agent as HttpAgent, type IncomingMessage, type ServerResponse, Agent, request } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { TlsOptions } from 'node:tls';
import { parseDuration } from '@concord/goflags';
import { isBlockingQuery } from '../http/drain.js';
import type { BodyLimit } from '../http/body-limits.js';
import { readBody } from '../http/request.js';
import { sendText } from '../http/respond.js';
import type { HttpRequest__Output, HttpResponse__Output } from './rpc.js';

/** Header carrying how many RPC hops a forwarded request took. */
export const HOPS_HEADER = 'x-concord-hops';
/**
 * Header naming the agent a forwarded request first arrived at: defaults that mean "this
 * agent" (a new session's node) refer to it, not to the server that answers.
 */
export const ORIGIN_NODE_HEADER = 'x-concord-origin-node';

/** The node a request is about when it names none: where it first arrived. */
export function originNode(req: IncomingMessage, self: string): string {
  const v = req.headers[ORIGIN_NODE_HEADER];
  return hopsOf(req) > 0 && typeof v === 'string' && v !== '' ? v : self;
}

/** A request is never forwarded more often than this. */
export const MAX_HOPS = 3;

export type ForwardTarget = 'local' | 'server' | 'leader';

/** Paths served by every agent from its own state. */
function agentLocal(path: string): boolean {
  return path.startsWith('/v1/agent/') || path === '/v1/agent' || path.startsWith('/v1/event/') || !path.startsWith('/v1/');
}

/**
 * True when a request that arrived over the RPC port may be replayed here: a path about the
 * replicated state, never an agent-local one (`/v1/agent/*`, events, anything outside `/v1/`),
 * judged on the decoded path so that escapes and doubled slashes cannot dress one up.
 */
export function forwardablePath(pathWithQuery: string): boolean {
  const q = pathWithQuery.indexOf('?');
  const raw = q === -1 ? pathWithQuery : pathWithQuery.slice(0, q);
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch {
    return false;
  }
  if (path.split('/').some((seg) => seg === '..' || seg === '.')) return false;
  path = path.replace(/\/{2,}/g, '/');
  return path.startsWith('/v1/') && !agentLocal(path);
}

function isRead(method: string): boolean {
  return method === 'GET' || method === 'HEAD';
}

function staleAllowed(query: URLSearchParams): boolean {
  return query.has('stale') || query.has('max_stale');
}

/** Where a request must be answered, seen from a client agent or a server. */
export function forwardTarget(
  role: { server: boolean; leader: boolean },
  method: string,
  path: string,
  query: URLSearchParams,
): ForwardTarget {
  if (agentLocal(path)) return 'local';
  if (!role.server) return 'server';
  if (role.leader) return 'local';
  if (path === '/v1/status/leader' || path === '/v1/status/peers') return 'local';
  if (isRead(method) && staleAllowed(query)) return 'local';
  return 'leader';
}

/** How long a forwarded call may take: a blocking query's wait plus its jitter, else 30 s. */
export function forwardTimeoutMs(query: URLSearchParams, maxQueryMs: number, defaultQueryMs: number): number {
  if (!query.has('index')) return 30_000;
  const raw = query.get('wait');
  const wait = raw ? (parseDuration(raw) ?? defaultQueryMs) : defaultQueryMs;
  const bounded = Math.min(Math.max(0, wait), maxQueryMs);
  return bounded + bounded / 16 + 30_000;
}

const SKIPPED_REQUEST_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', HOPS_HEADER]);
const SKIPPED_RESPONSE_HEADERS = new Set(['connection', 'content-length', 'transfer-encoding', 'keep-alive', 'date']);

/** Reads a whole request into the RPC message, refusing a body beyond the route's limit with 413. */
export async function toRpcRequest(req: IncomingMessage, hops: number, limit: BodyLimit, origin?: string): Promise<HttpRequest__Output> {
  return rpcRequestWithBody(req, hops, await readBody(req, limit.max, limit.tooLarge), origin);
}

/** The RPC message of a request whose body was already read. */
export function rpcRequestWithBody(req: IncomingMessage, hops: number, body: Buffer, origin?: string): HttpRequest__Output {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined || SKIPPED_REQUEST_HEADERS.has(k)) continue;
    headers[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  if (origin !== undefined) headers[ORIGIN_NODE_HEADER] = origin;
  return { method: req.method ?? 'GET', path: req.url ?? '/', headers, body, hops };
}

/** Writes a forwarded answer to the waiting HTTP response. */
export function writeRpcResponse(res: ServerResponse, r: HttpResponse__Output): void {
  if (res.headersSent || res.destroyed) return;
  res.statusCode = r.status;
  for (const [k, v] of Object.entries(r.headers)) {
    if (!SKIPPED_RESPONSE_HEADERS.has(k)) res.setHeader(k, v);
  }
  res.setHeader('Content-Length', r.body.length);
  res.end(r.body);
}

export function sendForwardError(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent || res.destroyed) return;
  sendText(res, status, message);
}

/** The hop count a request arrived with (0 for a request from outside). */
export function hopsOf(req: IncomingMessage): number {
  const raw = req.headers[HOPS_HEADER];
  const n = Number(Array.isArray(raw) ? raw[0] : raw);
  return Number.isInteger(n) && n > 0 ? n : 0;
}

/**
 * Replays forwarded requests against this agent's own HTTP listener over loopback, with the hop
 * count in a header so the answer is not forwarded in circles.
 */
export class LoopbackReplayer {
  readonly #host: string;
  readonly #port: number;
  readonly #agent: HttpAgent;
  readonly #request: typeof request;
  /** Replays waiting for their answer, blocking queries aside. */
  readonly #inFlight = new Set<Promise<unknown>>();

  /**
   * `https`: the agent's own HTTPS options, when only its HTTPS listener is on. The replay then
   * presents the agent's certificate (the listener may require one) and does not check the
   * listener's, which is this same process.
   */
  constructor(httpAddr: string, port: number, https?: TlsOptions) {
    this.#host = httpAddr === '0.0.0.0' || httpAddr === '' ? '127.0.0.1' : httpAddr === '::' ? '::1' : httpAddr;
    this.#port = port;
    const pool = { keepAlive: true, maxSockets: 256, maxFreeSockets: 64 };
    if (https) {
      const { cert, key } = https;
      this.#agent = new HttpsAgent({ ...pool, ...(cert ? { cert } : {}), ...(key ? { key } : {}), rejectUnauthorized: false });
      this.#request = httpsRequest as typeof request;
    } else {
      this.#agent = new Agent(pool);
      this.#request = request;
    }
  }

  replay(r: HttpRequest__Output, signal: AbortSignal): Promise<HttpResponse__Output> {
    const p = this.#send(r, signal);
    if (isBlockingQuery(r.path)) return p;
    this.#inFlight.add(p);
    const done = () => this.#inFlight.delete(p);
    p.then(done, done);
    return p;
  }

  /**
   * Resolves once every replay in progress has its answer, or after `ms`. Closing the listener
   * closes the connections it counts as idle, and a replay that has written its request to a
   * pooled connection the listener has not read yet is among them: it would be cut, with an
   * outcome its caller cannot know. Blocking queries are not waited for; the listener ends
   * them at once when it closes.
   */
  async settle(ms: number): Promise<void> {
    if (this.#inFlight.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.#inFlight]), new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
    clearTimeout(timer);
  }

  #send(r: HttpRequest__Output, signal: AbortSignal): Promise<HttpResponse__Output> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { ...r.headers, [HOPS_HEADER]: String(r.hops) };
      if (r.body.length > 0) headers['content-length'] = String(r.body.length);
      const req = this.#request(
        { host: this.#host, port: this.#port, method: r.method, path: r.path, headers, agent: this.#agent, signal },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const out: Record<string, string> = {};
            for (const [k, v] of Object.entries(res.headers)) {
              if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
            }
            resolve({ status: res.statusCode ?? 500, headers: out, body: Buffer.concat(chunks) });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(r.body);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}
