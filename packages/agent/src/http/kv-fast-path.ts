import type { IncomingMessage, ServerResponse } from 'node:http';
import { unquoteFlags } from './respond.js';
import type { StateStore } from '@concord/state';
import { gzipBody } from './gzip-response.js';

const PREFIX = '/v1/kv/';

/**
 * The hot path of `GET /v1/kv/<key>` with no query string: one lookup, one pre-sized header
 * block, no routing. The agent has already set the headers every response carries; the body is
 * gzip-encoded here when the request accepts it. It answers exactly what the general KV handler
 * answers for that request; anything else (a query string, an odd key) returns false and takes
 * the general path.
 */
export function serveKvGetFast(req: IncomingMessage, res: ServerResponse, state: StateStore): boolean {
  const url = req.url as string;
  if (req.method !== 'GET' || !url.startsWith(PREFIX) || url.length === PREFIX.length) return false;
  if (url.includes('?')) return false;
  let key = url.slice(PREFIX.length);
  if (key.includes('%')) {
    try {
      key = decodeURIComponent(key);
    } catch {
      return false;
    }
  }
  const { value, index } = state.kvGet(key);
  const headers = [
    'X-Consul-Index', String(index > 0 ? index : 1),
    'X-Consul-KnownLeader', 'true',
    'X-Consul-LastContact', '0',
    'X-Consul-Effective-Consistency', 'leader',
  ];
  if (!value) {
    headers.push('Content-Length', '0');
    res.writeHead(404, headers);
    res.end();
    return true;
  }
  let body = unquoteFlags(`[${JSON.stringify(value)}]`);
  if (/[<>&\u2028\u2029]/.test(body)) return false;
  const gz = req.headers['accept-encoding'] === undefined ? undefined : gzipBody(req, Buffer.from(body));
  if (gz) {
    headers.push('Content-Type', 'application/json', 'Content-Encoding', 'gzip', 'Content-Length', String(gz.length));
    res.writeHead(200, headers);
    res.end(gz);
    return true;
  }
  headers.push('Content-Type', 'application/json', 'Content-Length', String(Buffer.byteLength(body)));
  res.writeHead(200, headers);
  res.end(body);
  body = '';
  return true;
}
