import type { IncomingMessage } from 'node:http';
import { permissionDenied } from '../errors/agent-error.js';

/** Longer secrets are refused before any lookup (Consul's are 36-character UUIDs). */
export const MAX_TOKEN_LENGTH = 512;

/**
 * The token a request presents, in Consul's order: `?token=`, then `X-Consul-Token`, then
 * `Authorization: Bearer`. Undefined when none (the agent's default token then applies).
 */
export function requestToken(req: IncomingMessage, query: URLSearchParams): string | undefined {
  let token = query.get('token') ?? undefined;
  if (!token) {
    const header = req.headers['x-consul-token'];
    token = (Array.isArray(header) ? header[0] : header) || undefined;
  }
  if (!token) {
    const auth = req.headers.authorization;
    const m = auth ? /^Bearer\s+(\S+)\s*$/i.exec(auth) : null;
    token = m?.[1];
  }
  if (token !== undefined && token.length > MAX_TOKEN_LENGTH) throw permissionDenied('ACL not found');
  return token?.trim() || undefined;
}

/** A request URL with any `token=` query value replaced, for logs. */
export function redactTokenInUrl(url: string): string {
  return url.replace(/([?&]token=)[^&]*/gi, '$1<hidden>');
}
