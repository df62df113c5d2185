/**
 * The agent's `watches` config: each entry is a watch plan (from
 * `@concord/api`, the same code as `concord watch`) run against this agent's
 * own HTTP API, with a script or HTTP handler, as Consul runs them.
 */
import { type HttpHandlerConfig, parseWatchParams, runHttpHandler, runScriptHandler, WatchError, WatchPlan, type WatchParams } from '@concord/api';
import { parseDuration } from '@concord/api';

export interface WatchDefinition {
  readonly params: WatchParams;
  readonly handler: { readonly kind: 'script'; readonly command: string | readonly string[] } | { readonly kind: 'http'; readonly config: HttpHandlerConfig };
}

/** Checks one `watches` entry; throws `WatchError` with Consul's wording. */
export function parseWatchDefinition(raw: Readonly<Record<string, unknown>>): WatchDefinition {
  const params = parseWatchParams(raw);
  const type = raw.handler_type ?? 'script';
  if (type === 'script') {
    const args = raw.args;
    const handler = raw.handler;
    if (Array.isArray(args) && args.length > 0) return { params, handler: { kind: 'script', command: args.map(String) } };
    if (typeof handler === 'string' && handler !== '') return { params, handler: { kind: 'script', command: handler } };
    throw new WatchError('Must define a watch handler (args or handler)');
  }
  if (type === 'http') {
    const c = raw.http_handler_config;
    if (typeof c !== 'object' || c === null || typeof (c as { path?: unknown }).path !== 'string') throw new WatchError('http_handler_config.path is required for an http handler');
    const cfg = c as { path: string; method?: string; header?: Record<string, string[] | string>; timeout?: string };
    const timeoutMs = cfg.timeout === undefined ? 10_000 : parseDuration(cfg.timeout);
    if (timeoutMs === undefined) throw new WatchError(`Invalid http_handler_config.timeout: ${cfg.timeout}`);
    return {
      params,
      handler: { kind: 'http', config: { path: cfg.path, ...(cfg.method ? { method: cfg.method } : {}), ...(cfg.header ? { header: cfg.header } : {}), timeoutMs } },
    };
  }
  throw new WatchError(`Invalid handler_type: ${String(type)}`);
}

interface WatchLog {
  warn(obj: object, msg: string): void;
}

/** Starts every watch against the agent at `address`; returns a stop function. */
export function startWatches(defs: readonly WatchDefinition[], address: string, log: WatchLog): () => void {
  const plans = defs.map((def) => {
    const plan = new WatchPlan(def.params, { address, onError: (err) => log.warn({ err: err.message, type: def.params.type }, 'watch: query failed') });
    void plan.run(async (index, result) => {
      try {
        if (def.handler.kind === 'script') {
          const code = await runScriptHandler(def.handler.command, index, result);
          if (code !== 0) log.warn({ type: def.params.type, code }, 'watch: handler failed');
        } else {
          const status = await runHttpHandler(def.handler.config, index, result);
          if (status < 200 || status > 299) log.warn({ type: def.params.type, status }, 'watch: http handler failed');
        }
      } catch (err) {
        log.warn({ type: def.params.type, err: String(err) }, 'watch: handler failed');
      }
    });
    return plan;
  });
  return () => {
    for (const p of plans) p.stop();
  };
}
