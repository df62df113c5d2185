/**
 * The agent's HTTP request path, in order: the connection guard, Consul's response headers,
 * debug logging, the leader's KV GET/PUT fast paths and a follower's KV write path (which write
 * their own headers and timers), Consul's HTTP timers, blocked endpoints, the UI's files, WAN
 * address translation, the ACL gate, then `?cached` reads or the router.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { uiAssetsDir, uiBuilt } from '@concord/ui';
import { enforcedAclDefaultPolicy } from '../acl/enforced-policy.js';
import { gateRequest } from '../acl/http-gate.js';
import { forwardedToken, keyAllowedNow, keyWritableNow } from '../acl/key-gate.js';
import { redactTokenInUrl } from '../acl/request-token.js';
import type { AclResolver } from '../acl/resolver.js';
import type { AgentContext } from '../agent-context.js';
import { AgentCache } from '../cache/agent-cache.js';
import { typedCacheFetcher } from '../cache/typed-fetch.js';
import type { ServerCluster } from '../cluster/server-cluster.js';
import type { AgentConfig } from '../config/config.js';
import { kvBodyLimit } from '../http/body-limits.js';
import { BlockingKvReads } from '../http/blocking-kv.js';
import { ConnectionGuard } from '../http/connection-guard.js';
import { aclRoutes } from '../http/endpoints/acl.js';
import { agentInfoRoutes } from '../http/endpoints/agent-info.js';
import { agentMonitorRoutes } from '../http/endpoints/agent-monitor.js';
import { agentTokenRoutes } from '../http/endpoints/agent-tokens.js';
import { agentRoutes } from '../http/endpoints/agent.js';
import { catalogRoutes } from '../http/endpoints/catalog.js';
import { clusterOpsRoutes, keyringRoutes } from '../http/endpoints/cluster-ops.js';
import { coordinateRoutes } from '../http/endpoints/coordinate.js';
import { eventFireRoutes } from '../http/endpoints/event-fire.js';
import { eventRoutes } from '../http/endpoints/event-list.js';
import { healthRoutes } from '../http/endpoints/health.js';
import { internalRoutes } from '../http/endpoints/internal.js';
import { kvRoutes } from '../http/endpoints/kv.js';
import { metricsRoutes } from '../http/endpoints/metrics.js';
import { operatorRoutes } from '../http/endpoints/operator.js';
import { preparedQueryRoutes } from '../http/endpoints/prepared-query.js';
import { sessionRoutes } from '../http/endpoints/session.js';
import { snapshotRoutes } from '../http/endpoints/snapshot.js';
import { txnRoutes } from '../http/endpoints/txn.js';
import { toHttpError } from '../http/http-error.js';
import { KvFastPath } from '../http/kv-fast-path.js';
import { KvFollowerPath } from '../http/kv-follower-path.js';
import { RequestTimers } from '../http/request-timers.js';
import { sendText } from '../http/respond.js';
import { type Route, Router } from '../http/router.js';
import { UiFiles } from '../http/ui-files.js';
import { translateWanAddresses } from '../http/wan-address-translation.js';
import type { RpcRouter } from '../rpc/router.js';
import type { StateServer } from '../server/state-server.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import type { Cleanups } from './cleanups.js';

/** The query of a request without one (read only: the ACL gate reads `?token`). */
const NO_QUERY: Readonly<URLSearchParams> = new URLSearchParams();

export interface HttpHandlerParts {
  config: AgentConfig;
  context: AgentContext;
  acl: AclResolver;
  calls: RpcRouter;
  server: StateServer | undefined;
  serverCluster: ServerCluster | undefined;
  telemetry: Telemetry;
  logger: Logger;
}

export interface HttpHandler {
  handle: (req: IncomingMessage, res: ServerResponse) => void;
  guard: ConnectionGuard;
}

export function httpHandler(p: HttpHandlerParts, cleanups: Cleanups): HttpHandler {
  const { config, acl, server, telemetry, logger } = p;
  const sc = p.serverCluster;
  const router = httpRouter(p.context, logger);
  const extraHeaders = Object.entries(config.responseHeaders);
  const blocked = config.blockEndpoints;
  const prettyAll = false;
  const fastPath = server !== undefined && extraHeaders.length === 0 && blocked.length === 0 && !config.translateWanAddrs;
  const ui = config.ui ? new UiFiles(config.uiDir ?? uiAssetsDir()) : undefined;
  if (ui && !uiBuilt(ui.root)) logger.warn({ dir: ui.root }, 'ui: the web UI is not built (npm run build); /ui/ answers 404');
  const aclPolicy = enforcedAclDefaultPolicy(config);
  const guard = new ConnectionGuard({ maxPerClient: config.bounds.httpMaxConnsPerClient, bodyTimeoutMs: config.bounds.httpBodyTimeoutMs });
  const cache = new AgentCache({
    fetch: typedCacheFetcher(p.calls, config),
    defaultQueryTimeMs: config.defaultQueryTimeMs,
    maxQueryTimeMs: config.maxQueryTimeMs,
  });
  cleanups.push(() => cache.close());
  const timers = new RequestTimers(telemetry, (method, path) => router.patternOf(method, path));
  const kvFast = fastPath && sc ? kvFastPath(sc, server, config, aclPolicy, acl, timers, logger) : undefined;
  const kvBlocking = fastPath && sc ? blockingKvReads(sc, server, config, aclPolicy, acl, timers, p.context.parkedReads) : undefined;
  const kvFollower = fastPath && sc ? kvFollowerPath(sc, config, aclPolicy, acl, timers, logger) : undefined;
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    if (!guard.admit(req, res)) return;
    if (logger.isLevelEnabled('debug')) logRequest(logger, req, res);
    // KV GET and PUT without a query string on the leader write the common headers themselves.
    if (kvFast?.serve(req, res)) return;
    // so do blocking reads of one key (`?index=` and `?wait=` only)
    if (kvBlocking?.serve(req, res)) return;
    // and KV writes taken by a follower, passed to the leader
    if (kvFollower?.serve(req, res)) return;
    res.setHeader('X-Consul-Default-ACL-Policy', aclPolicy);
    res.setHeader('Vary', 'Accept-Encoding');
    for (const [k, v] of extraHeaders) res.setHeader(k, v);
    timers.observe(req, res);
    if (blocked.length > 0 && blocked.some((b) => (req.url ?? '').startsWith(b))) {
      sendText(res, 403, 'Endpoint is blocked by agent configuration');
      return;
    }
    // The UI's files are this agent's own: never forwarded to a server.
    if (ui?.owns(req.url)) {
      ui.handle(req, res);
      return;
    }
    if (config.translateWanAddrs) translateWanAddresses(req, res, config.datacenter);
    if (acl.enabled) {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const refuse = (err: unknown): void => {
        const e = toHttpError(err);
        sendText(res, e.status, e.message);
      };
      let pending: Promise<void> | undefined;
      try {
        pending = gateRequest(gate, req, q === -1 ? url : url.slice(0, q), q === -1 ? NO_QUERY : new URLSearchParams(url.slice(q + 1)));
      } catch (err) {
        refuse(err);
        return;
      }
      if (pending) {
        pending.then(() => dispatch(req, res), refuse);
        return;
      }
    }
    dispatch(req, res);
  };
  const gate = { resolver: acl, nodeName: config.nodeName, keyListPolicy: config.acl.enableKeyListPolicy };
  const dispatch = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.url?.includes('cached') && serveCached(cache, req, res)) return;
    router.handle(req, res, (q) => prettyAll || q.has('pretty'));
  };
  return { handle, guard };
}

/** Every HTTP route of the agent; every agent registers them all (the state ones call typed methods). */
function httpRouter(context: AgentContext, logger: Logger): Router {
  const router = new Router();
  const routeSets: Route[][] = [
    agentTokenRoutes(context),
    agentRoutes(context),
    agentInfoRoutes(context),
    agentMonitorRoutes(context),
    clusterOpsRoutes(context),
    operatorRoutes(context),
    keyringRoutes(context),
    eventFireRoutes(context),
    eventRoutes(context),
    metricsRoutes(context),
  ];
  routeSets.push(
    kvRoutes(context),
    txnRoutes(context),
    sessionRoutes(context),
    preparedQueryRoutes(context),
    catalogRoutes(context),
    coordinateRoutes(context),
    healthRoutes(context),
    snapshotRoutes(context),
    internalRoutes(context),
  );
  routeSets.push(aclRoutes(context));
  for (const routes of routeSets) for (const r of routes) router.add(r);
  router.onError((err, ctx) => {
    const status = toHttpError(err).status;
    if (status === undefined || status >= 500) logger.debug({ err: String(err), path: ctx.path }, 'http: request failed');
  });
  return router;
}

/**
 * The KV fast paths of a server agent: reads and writes of one key answered by the leader itself,
 * with the agent's common headers, Consul's HTTP timers and (ACLs on) the token's key permission.
 * A write applies through `ServerCluster.write`, as `KVS.Apply` does on the leader.
 */
function kvFastPath(sc: ServerCluster, server: StateServer, config: AgentConfig, aclPolicy: string, acl: AclResolver, timers: RequestTimers, logger: Logger): KvFastPath {
  return new KvFastPath({
    state: server.state,
    isLeader: () => sc.isLeader(),
    // Passed on (leadership moved) with the request's token, or the agent's default, as the gate does.
    apply: (command, req) => sc.writeAsLeader(command, () => forwardedToken(acl, req)),
    bodyLimit: kvBodyLimit(config),
    commonHeaders: ['X-Consul-Default-ACL-Policy', aclPolicy, 'Vary', 'Accept-Encoding'],
    ...(acl.enabled ? { keyAllowed: (req: IncomingMessage, key: string, write: boolean) => keyAllowedNow(acl, req, key, write) } : {}),
    timers: { get: timers.timerFor('GET', '/v1/kv/*', '/v1/kv/'), put: timers.timerFor('PUT', '/v1/kv/*', '/v1/kv/') },
    onError: failureLog(logger),
  });
}

/** A fast path's failed request, logged as the router logs its failures (server errors only, at debug). */
function failureLog(logger: Logger): (err: unknown, path: string) => void {
  return (err, path) => {
    const status = toHttpError(err).status;
    if (status === undefined || status >= 500) logger.debug({ err: String(err), path }, 'http: request failed');
  };
}

/**
 * KV writes taken by a follower: parsed once and passed to the leader (on the Raft connection, as
 * the command's binary record) with the request's token, or the agent's default, as the gate does.
 */
function kvFollowerPath(sc: ServerCluster, config: AgentConfig, aclPolicy: string, acl: AclResolver, timers: RequestTimers, logger: Logger): KvFollowerPath {
  return new KvFollowerPath({
    isLeader: () => sc.isLeader(),
    forward: (command, req) => sc.write(command, forwardedToken(acl, req)),
    bodyLimit: kvBodyLimit(config),
    commonHeaders: ['X-Consul-Default-ACL-Policy', aclPolicy, 'Vary', 'Accept-Encoding'],
    ...(acl.enabled ? { keyWritable: (req: IncomingMessage, key: string, prefix: boolean) => keyWritableNow(acl, req, key, prefix) } : {}),
    timers: { put: timers.timerFor('PUT', '/v1/kv/*', '/v1/kv/'), delete: timers.timerFor('DELETE', '/v1/kv/*', '/v1/kv/') },
    onError: failureLog(logger),
  });
}

/** Blocking reads of one key on the leader, parked per key without the router (`BlockingKvReads`). */
function blockingKvReads(
  sc: ServerCluster,
  server: StateServer,
  config: AgentConfig,
  aclPolicy: string,
  acl: AclResolver,
  timers: RequestTimers,
  parked: { count: number },
): BlockingKvReads {
  return new BlockingKvReads({
    state: server.state,
    isLeader: () => sc.isLeader(),
    knownLeader: () => sc.knownLeader(),
    commonHeaders: ['X-Consul-Default-ACL-Policy', aclPolicy, 'Vary', 'Accept-Encoding'],
    defaultQueryTimeMs: config.defaultQueryTimeMs,
    maxQueryTimeMs: config.maxQueryTimeMs,
    random: Math.random,
    ...(acl.enabled ? { keyAllowed: (req: IncomingMessage, key: string, write: boolean) => keyAllowedNow(acl, req, key, write) } : {}),
    timer: timers.timerFor('GET', '/v1/kv/*', '/v1/kv/'),
    parked,
  });
}

/** `?cached` reads of the endpoints Consul caches are answered by the agent's cache. */
function serveCached(cache: AgentCache, req: IncomingMessage, res: ServerResponse): boolean {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const query = new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
  if (!AgentCache.wants(req.method, path, query)) return false;
  void cache.serve(req, res, path, query);
  return true;
}

/** Consul's `agent.http: Request finished` debug line, once the answer is sent. */
function logRequest(logger: Logger, req: IncomingMessage, res: ServerResponse): void {
  const started = performance.now();
  res.once('finish', () => {
    const latency = `${Math.round((performance.now() - started) * 1000)}µs`;
    logger.debug(
      { method: req.method, url: redactTokenInUrl(req.url ?? ''), from: `${req.socket.remoteAddress}:${req.socket.remotePort}`, latency },
      'agent.http: Request finished',
    );
  });
}
