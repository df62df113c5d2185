/**
 * The ACL decision of the KV fast paths: whether a request's token may read or write one key,
 * decided at once from a token resolution this agent already holds. Anything else (a token still
 * to resolve, a malformed one, a denial) is left to the HTTP gate, which resolves, refuses with
 * Consul's words and records the authorizer as for every other request.
 */
import type { IncomingMessage } from 'node:http';
import type { AclResolver } from './resolver.js';
import { requestToken } from './request-token.js';

/** The query of a request without a query string. */
const NO_QUERY: Readonly<URLSearchParams> = new URLSearchParams();

/** True when the token of a request without a query string holds the permission on `key` now. */
export function keyAllowedNow(resolver: AclResolver, req: IncomingMessage, key: string, write: boolean): boolean {
  let token: string | undefined;
  try {
    token = requestToken(req, NO_QUERY);
  } catch {
    return false;
  }
  const authz = resolver.resolvedToken(token);
  if (!authz) return false;
  return write ? authz.keyWrite(key) : authz.keyRead(key);
}

/** True when the token of a request without a token in its query may write `key` (`prefix`: every key under it) now. */
export function keyWritableNow(resolver: AclResolver, req: IncomingMessage, key: string, prefix: boolean): boolean {
  if (!prefix) return keyAllowedNow(resolver, req, key, true);
  let token: string | undefined;
  try {
    token = requestToken(req, NO_QUERY);
  } catch {
    return false;
  }
  return resolver.resolvedToken(token)?.keyWritePrefix(key) ?? false;
}

/**
 * The token a fast-path write carries when it must be passed on to the leader (leadership moved
 * after the check): the request's own, else the agent's default; '' with ACLs off.
 */
export function forwardedToken(resolver: AclResolver, req: IncomingMessage): string {
  if (!resolver.enabled) return '';
  let token: string | undefined;
  try {
    token = requestToken(req, NO_QUERY);
  } catch {
    token = undefined;
  }
  return token ?? resolver.tokens.default ?? '';
}
