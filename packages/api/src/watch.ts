/**
 * Consul's watch plans (`consul watch` and the agent's `watches` block): a
 * blocking-query loop over one view (key, keyprefix, services, nodes,
 * service, checks, event) that calls a handler with the raw Consul JSON each
 * time the result changed, and the two handlers Consul has (a script getting
 * the JSON on stdin, an HTTP endpoint getting it as the body). Shared by the
 * CLI and the agent, which may both import this package.
 */
import { spawn } from 'node:child_process';
import { baseUrlOf } from './address.js';
import { escapePath, escapeSegment, type Params, Transport } from './transport.js';
import { isDeepStrictEqual } from 'node:util';

export const WATCH_TYPES = ['key', 'keyprefix', 'services', 'nodes', 'service', 'checks', 'event'] as const;
export type WatchType = (typeof WATCH_TYPES)[number];

export interface WatchParams {
  readonly type: WatchType;
  readonly key?: string;
  readonly prefix?: string;
  readonly service?: string;
  readonly tag?: readonly string[];
  readonly passingonly?: boolean;
  readonly state?: string;
  readonly name?: string;
  readonly datacenter?: string;
  readonly token?: string;
  readonly stale?: boolean;
}

export class WatchError extends Error {
  readonly code = 'WATCH';
}

const ALLOWED: Readonly<Record<WatchType, readonly string[]>> = {
  key: ['key'],
  keyprefix: ['prefix'],
  services: [],
  nodes: [],
  service: ['service', 'tag', 'passingonly'],
  checks: ['service', 'state'],
  event: ['name'],
};
const COMMON = ['type', 'datacenter', 'token', 'stale', 'handler', 'args', 'handler_type', 'http_handler_config'];
const STATES = new Set(['any', 'passing', 'warning', 'critical']);

/** Checks watch parameters as Consul does (the keys of a `watches` entry, or the CLI flags). */
export function parseWatchParams(raw: Readonly<Record<string, unknown>>): WatchParams {
  const type = raw.type;
  if (typeof type !== 'string' || type === '') throw new WatchError('Watch type must be specified');
  if (!(WATCH_TYPES as readonly string[]).includes(type)) throw new WatchError(`Unsupported watch type: ${type}`);
  const t = type as WatchType;
  const extra = Object.keys(raw).filter((k) => !COMMON.includes(k) && !ALLOWED[t].includes(k) && raw[k] !== undefined);
  if (extra.length > 0) throw new WatchError(`Invalid parameters: [${extra.sort().join(' ')}]`);
  const s = (k: string): string | undefined => {
    const v = raw[k];
    if (v === undefined || v === '') return undefined;
    if (typeof v !== 'string') throw new WatchError(`Expecting ${k} to be a string`);
    return v;
  };
  const tagRaw = raw.tag;
  const tag = tagRaw === undefined ? undefined : Array.isArray(tagRaw) ? tagRaw.map(String) : [String(tagRaw)];
  const p: WatchParams = {
    type: t,
    ...(s('key') !== undefined ? { key: s('key') } : {}),
    ...(s('prefix') !== undefined ? { prefix: s('prefix') } : {}),
    ...(s('service') !== undefined ? { service: s('service') } : {}),
    ...(tag && tag.length > 0 ? { tag } : {}),
    ...(raw.passingonly !== undefined ? { passingonly: raw.passingonly === true || raw.passingonly === 'true' } : {}),
    ...(s('state') !== undefined ? { state: s('state') } : {}),
    ...(s('name') !== undefined ? { name: s('name') } : {}),
    ...(s('datacenter') !== undefined ? { datacenter: s('datacenter') } : {}),
    ...(s('token') !== undefined ? { token: s('token') } : {}),
    ...(raw.stale !== undefined ? { stale: raw.stale === true || raw.stale === 'true' } : {}),
  };
  if (t === 'key' && !p.key) throw new WatchError('Must specify a single key to watch');
  if (t === 'keyprefix' && p.prefix === undefined) throw new WatchError('Must specify a single prefix to watch');
  if (t === 'service' && !p.service) throw new WatchError('Must specify a single service to watch');
  if (t === 'checks' && p.service && p.state) throw new WatchError('Cannot specify service and state');
  if (p.state && !STATES.has(p.state)) throw new WatchError(`Invalid state: ${p.state}`);
  return p;
}

/** The request one round of a watch makes. */
function requestOf(p: WatchParams): { path: string; params: Params; allow404: boolean } {
  switch (p.type) {
    case 'key':
      return { path: `/v1/kv/${escapePath(p.key as string)}`, params: {}, allow404: true };
    case 'keyprefix':
      return { path: `/v1/kv/${escapePath(p.prefix as string)}`, params: { recurse: true }, allow404: true };
    case 'services':
      return { path: '/v1/catalog/services', params: {}, allow404: false };
    case 'nodes':
      return { path: '/v1/catalog/nodes', params: {}, allow404: false };
    case 'service':
      return { path: `/v1/health/service/${escapeSegment(p.service as string)}`, params: { tag: p.tag, passing: p.passingonly ? true : undefined }, allow404: false };
    case 'checks':
      return p.service
        ? { path: `/v1/health/checks/${escapeSegment(p.service)}`, params: {}, allow404: false }
        : { path: `/v1/health/state/${escapeSegment(p.state ?? 'any')}`, params: {}, allow404: false };
    case 'event':
      return { path: '/v1/event/list', params: { name: p.name }, allow404: false };
  }
}

export type WatchHandler = (index: number, result: unknown) => void | Promise<void>;

export interface WatchPlanOptions {
  /** Agent address (`host:port` or a URL). */
  readonly address: string;
  /** Token used when the params name none. */
  readonly token?: string;
  /** Longest blocking wait per round. Default 5 minutes, as Consul's. */
  readonly waitMs?: number;
  /** Called when a round fails (the plan retries with backoff). */
  readonly onError?: (err: Error) => void;
}

/** A running watch: `run(handler)` resolves when `stop()` is called. */
export class WatchPlan {
  readonly params: WatchParams;
  readonly #transport: Transport;
  readonly #options: WatchPlanOptions;
  readonly #abort = new AbortController();

  constructor(params: WatchParams, options: WatchPlanOptions) {
    this.params = params;
    this.#options = options;
    const token = params.token ?? options.token;
    this.#transport = new Transport({ baseUrl: baseUrlOf(options.address), ...(token ? { token } : {}), ...(params.datacenter ? { datacenter: params.datacenter } : {}) });
  }

  async run(handler: WatchHandler): Promise<void> {
    const { path, params, allow404 } = requestOf(this.params);
    const signal = this.#abort.signal;
    let index = 0;
    // A key that does not exist yet is no change to report (Consul's key watch returns nil then).
    let last: unknown = this.params.type === 'key' ? null : undefined;
    let failures = 0;
    while (!signal.aborted) {
      let next: number;
      let result: unknown;
      try {
        const res = await this.#transport.call(
          {
            method: 'GET',
            path,
            params: { ...params, ...(index > 0 ? { index, wait: `${this.#options.waitMs ?? 300_000}ms` } : {}), stale: this.params.stale ? true : undefined },
            options: { signal },
          },
          allow404 ? [404] : [],
        );
        next = Number(res.headers.get('x-consul-index') ?? '0');
        result = res.status === 404 ? null : (JSON.parse(res.body.toString('utf8') || 'null') as unknown);
        // A key watch hands over the pair itself, not the one-element list the endpoint answers.
        if (this.params.type === 'key' && Array.isArray(result)) result = result[0] ?? null;
        failures = 0;
      } catch (err) {
        if (signal.aborted) return;
        failures++;
        this.#options.onError?.(err instanceof Error ? err : new Error(String(err)));
        await abortableSleep(Math.min(1000 * 2 ** (failures - 1), 30_000), signal);
        continue;
      }
      const prev = index;
      index = next < prev ? 0 : Math.max(next, 1);
      if (prev !== 0 && next === prev) continue;
      if (isDeepStrictEqual(last, result)) continue;
      last = result;
      await handler(next, result);
    }
  }

  stop(): void {
    this.#abort.abort();
  }
}

/** Resolves after `ms`, or at once when `signal` aborts (retry backoff in blocking loops). */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Runs a script handler: the JSON on stdin, `CONSUL_INDEX` in the environment. Resolves its exit code. */
export function runScriptHandler(command: string | readonly string[], index: number, result: unknown, env: NodeJS.ProcessEnv = process.env): Promise<number | null> {
  const [file, args] = typeof command === 'string' ? ['/bin/sh', ['-c', command]] : [command[0] as string, command.slice(1)];
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: { ...env, CONSUL_INDEX: String(index) }, stdio: ['pipe', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code));
    child.stdin.on('error', () => undefined);
    child.stdin.end(`${JSON.stringify(result)}\n`);
  });
}

export interface HttpHandlerConfig {
  readonly path: string;
  readonly method?: string;
  readonly header?: Readonly<Record<string, readonly string[] | string>>;
  readonly timeoutMs?: number;
}

/** Runs an HTTP handler: the JSON as the body, `X-Consul-Index` as a header. Resolves the status. */
export async function runHttpHandler(config: HttpHandlerConfig, index: number, result: unknown): Promise<number> {
  const headers = new Headers({ 'Content-Type': 'application/json', 'X-Consul-Index': String(index) });
  for (const [k, v] of Object.entries(config.header ?? {})) for (const one of Array.isArray(v) ? v : [v]) headers.append(k, String(one));
  const res = await fetch(config.path, {
    method: config.method ?? 'POST',
    headers,
    body: JSON.stringify(result),
    signal: AbortSignal.timeout(config.timeoutMs ?? 10_000),
  });
  await res.arrayBuffer();
  return res.status;
}
