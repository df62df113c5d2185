import type { IncomingMessage, ServerResponse } from 'node:http';
import FindMyWay from 'find-my-way';
import { toHttpError } from './http-error.js';
import type { RequestContext } from './request.js';
import { sendEmpty, sendText } from './respond.js';

export type Method = 'GET' | 'PUT' | 'POST' | 'DELETE';
export type Handler = (ctx: RequestContext) => void | Promise<void>;

export interface Route {
  path: string;
  methods: readonly Method[];
  handler: Handler;
}

const ALL_METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH'] as const;

interface RouteStore {
  route: Route;
  allow: string;
}

/** Routes requests; answers 405 with `Allow` for wrong methods and 404 with an empty body for unknown paths. */
export class Router {
  readonly #fmw = FindMyWay({ ignoreTrailingSlash: false, caseSensitive: true });
  #onError: (err: unknown, ctx: RequestContext) => void = () => {};

  add(route: Route): void {
    const store: RouteStore = { route, allow: ['OPTIONS', ...route.methods].join(',') };
    this.#fmw.on([...ALL_METHODS], route.path, () => {}, store);
  }

  /** The pattern of the route a request path reaches (`/v1/kv/*`), if any. */
  patternOf(method: string, path: string): string | undefined {
    const found = this.#fmw.find((method === 'HEAD' ? 'GET' : method) as 'GET', path);
    return found ? (found.store as RouteStore).route.path : undefined;
  }

  onError(fn: (err: unknown, ctx: RequestContext) => void): void {
    this.#onError = fn;
  }

  handle(req: IncomingMessage, res: ServerResponse, pretty: (q: URLSearchParams) => boolean): void {
    const url = req.url ?? '/';
    const qAt = url.indexOf('?');
    const path = qAt === -1 ? url : url.slice(0, qAt);
    const query = new URLSearchParams(qAt === -1 ? '' : url.slice(qAt + 1));
    const method = (req.method ?? 'GET').toUpperCase();
    const found = this.#fmw.find(method as 'GET', path);
    if (!found) {
      if (path === '/') {
        sendText(res, 200, 'Consul Agent');
        return;
      }
      // find-my-way matches nothing when a percent escape is malformed or not UTF-8.
      if (!decodable(path)) {
        sendText(res, 400, 'Invalid URL path: not valid UTF-8 or bad escape');
        return;
      }
      sendEmpty(res, 404);
      return;
    }
    const { route, allow } = found.store as RouteStore;
    if (method === 'OPTIONS') {
      res.setHeader('Allow', allow);
      sendEmpty(res, 200);
      return;
    }
    const effective = method === 'HEAD' ? 'GET' : method;
    if (!route.methods.includes(effective as Method)) {
      res.setHeader('Allow', allow);
      sendText(res, 405, `method ${method} not allowed`);
      return;
    }
    const ctx: RequestContext = { req, res, path, query, params: rawParams(route.path, path), pretty: pretty(query) };
    try {
      const out = route.handler(ctx);
      if (out && typeof (out as Promise<void>).then === 'function') {
        (out as Promise<void>).catch((err: unknown) => this.#fail(err, ctx));
      }
    } catch (err) {
      this.#fail(err, ctx);
    }
  }

  #fail(err: unknown, ctx: RequestContext): void {
    this.#onError(err, ctx);
    if (ctx.res.headersSent || ctx.res.destroyed) return;
    const e = toHttpError(err);
    sendText(ctx.res, e.status, e.message);
  }
}

function decodable(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The route's parameters as they appear in the raw path, still percent-encoded, so that handlers
 * decode them exactly once (find-my-way's own params are already decoded).
 */
function rawParams(pattern: string, path: string): Record<string, string> {
  const want = pattern.split('/');
  const got = path.split('/');
  const out: Record<string, string> = {};
  want.forEach((seg, i) => {
    if (seg.startsWith(':')) out[seg.slice(1)] = got[i] ?? '';
    else if (seg === '*') out['*'] = got.slice(i).join('/');
  });
  return out;
}
