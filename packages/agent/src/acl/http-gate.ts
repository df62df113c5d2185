/**
 * ACL enforcement in front of the HTTP routes: resolves the request's token once, checks the
 * permission Consul requires for endpoints that need one fixed permission (KV keys, events,
 * operator, keyring, snapshot, ACL-agent tokens, agent endpoints), and keeps the authorizer with
 * the request so list endpoints can filter what they answer (`X-Consul-Results-Filtered-By-ACLs`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { permissionDeniedBy } from './resolver.js';
import type { AclResolver } from './resolver.js';
import type { Authorizer } from './authorizer.js';
import { requestToken } from './request-token.js';

const authorizers = new WeakMap<IncomingMessage, Authorizer>();
/** Requests that carried a token (their own or the agent's default): only they learn that lists were filtered. */
const authenticated = new WeakSet<IncomingMessage>();

/** Marks the response as filtered, as Consul does only for requests with a token. */
function markFiltered(req: IncomingMessage, res: ServerResponse): void {
  if (authenticated.has(req)) res.setHeader('X-Consul-Results-Filtered-By-ACLs', 'true');
}

/** The authorizer the gate resolved for a request, if ACLs are on. */
export function requestAuthorizer(req: IncomingMessage): Authorizer | undefined {
  return authorizers.get(req);
}

/** Filters a list by a permission; marks the response when something was removed. */
export function filterByAcl<T>(req: IncomingMessage, res: ServerResponse, items: T[], allowed: (a: Authorizer, item: T) => boolean): T[] {
  const a = authorizers.get(req);
  if (!a) return items;
  const kept = items.filter((x) => allowed(a, x));
  if (kept.length !== items.length) markFiltered(req, res);
  return kept;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

type Check = (a: Authorizer) => boolean;

/** The fixed permission an endpoint needs, or undefined when it needs none here. */
export function requiredPermission(method: string, path: string, query: URLSearchParams, node: string, keyListPolicy: boolean): Check | undefined {
  const read = method === 'GET' || method === 'HEAD';
  if (path.startsWith('/v1/kv/')) {
    const key = decode(path.slice('/v1/kv/'.length));
    if (read) {
      if (query.has('keys') || query.has('recurse')) return keyListPolicy ? (a) => a.keyList(key) : undefined;
      return (a) => a.keyRead(key);
    }
    if (method === 'DELETE' && query.has('recurse')) return (a) => a.keyWritePrefix(key);
    return (a) => a.keyWrite(key);
  }
  if (path.startsWith('/v1/event/fire/')) {
    const name = decode(path.slice('/v1/event/fire/'.length));
    return (a) => a.eventWrite(name);
  }
  if (path === '/v1/snapshot') return (a) => a.snapshot();
  if (path === '/v1/operator/keyring') return read ? (a) => a.keyringRead() : (a) => a.keyringWrite();
  if (path.startsWith('/v1/operator/')) return read ? (a) => a.operatorRead() : (a) => a.operatorWrite();
  if (path.startsWith('/v1/agent/token/')) return (a) => a.aclWrite();
  if (path.startsWith('/v1/agent/')) {
    const sub = path.slice('/v1/agent/'.length);
    // Filtered lists and per-service checks are the endpoints' own.
    if (
      sub === 'services' ||
      sub === 'checks' ||
      sub === 'members' ||
      sub === 'maintenance' ||
      sub.startsWith('service/') ||
      sub.startsWith('check/') ||
      sub.startsWith('health/')
    ) {
      return undefined;
    }
    if (sub === 'version') return undefined;
    // As Consul: host details and force-leave are operator permissions, the rest the agent's.
    if (sub === 'host') return (a) => a.operatorRead();
    if (sub.startsWith('force-leave/')) return (a) => a.operatorWrite();
    if (sub === 'self' || sub === 'metrics' || sub === 'monitor') return (a) => a.agentRead(node);
    return read ? (a) => a.agentRead(node) : (a) => a.agentWrite(node);
  }
  return undefined;
}

export interface GateOptions {
  resolver: AclResolver;
  nodeName: string;
  keyListPolicy: boolean;
}

/**
 * Resolves the token and checks the endpoint's fixed permission. Throws a PERMISSION_DENIED AgentError (403)
 * (`ACL not found`, `Permission denied`). A no-op with ACLs off. Decided at once (undefined) when
 * this agent already holds the token's resolution; otherwise a promise that settles once resolved.
 */
export function gateRequest(o: GateOptions, req: IncomingMessage, path: string, query: URLSearchParams): Promise<void> | undefined {
  if (!o.resolver.enabled) return undefined;
  const token = requestToken(req, query);
  // A request without a token acts as this agent's default token, also where it is forwarded.
  if (token === undefined && o.resolver.tokens.default) req.headers['x-consul-token'] = o.resolver.tokens.default;
  if (token !== undefined || o.resolver.tokens.default) authenticated.add(req);
  // The ACL API checks its own permissions (token/self needs none).
  if (path.startsWith('/v1/acl/')) return undefined;
  const check = (authz: Authorizer): void => {
    authorizers.set(req, authz);
    const need = requiredPermission(req.method ?? 'GET', path, query, o.nodeName, o.keyListPolicy);
    authz.clearDenial();
    if (need && !need(authz)) throw permissionDeniedBy(authz);
  };
  // A resolution this agent already holds is checked at once; otherwise the token is resolved first.
  const known = o.resolver.resolvedToken(token);
  if (known) {
    check(known);
    return undefined;
  }
  return o.resolver.resolveToken(token).then(check);
}

/** Refuses the request with 403 (Consul's `Permission denied: ...` naming the permission) unless its token has the permission (ACLs on). */
export function requirePermission(req: IncomingMessage, allowed: (a: Authorizer) => boolean): void {
  const a = authorizers.get(req);
  if (!a) return;
  a.clearDenial();
  if (!allowed(a)) throw permissionDeniedBy(a);
}

/** Filters the values of a map by a permission, marking the response when something was removed. */
export function filterMapByAcl<T>(
  req: IncomingMessage,
  res: ServerResponse,
  map: Record<string, T>,
  allowed: (a: Authorizer, key: string, value: T) => boolean,
): Record<string, T> {
  const a = authorizers.get(req);
  if (!a) return map;
  const out: Record<string, T> = {};
  let removed = false;
  for (const [k, v] of Object.entries(map)) {
    if (allowed(a, k, v)) out[k] = v;
    else removed = true;
  }
  if (removed) markFiltered(req, res);
  return out;
}
