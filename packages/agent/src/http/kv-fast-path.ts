import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KvEntry, StateStore } from '@concord/state';
import { acceptsGzip, gzipEncode } from './gzip-response.js';
import { unquoteFlags } from './respond.js';

const PREFIX = '/v1/kv/';
const GO_ESCAPED = /[<>&\u2028\u2029]/;

/** One entry's answer, encoded once: entries are immutable (a write stores a new object). */
interface EncodedEntry {
  /**
   * The JSON body, or undefined when Go's escaping would change it (the general path answers).
   * A string: node:http sends a string body in one write with the header block.
   */
  body: string | undefined;
  length: string;
  index: string;
  gzip?: Buffer;
  gzipLength?: string;
}

const encodedEntries = new WeakMap<KvEntry, EncodedEntry>();

function encodedOf(entry: KvEntry): EncodedEntry {
  let e = encodedEntries.get(entry);
  if (e) return e;
  const json = unquoteFlags(`[${JSON.stringify(entry)}]`);
  const body = GO_ESCAPED.test(json) ? undefined : json;
  e = { body, length: String(body === undefined ? 0 : Buffer.byteLength(body)), index: String(entry.ModifyIndex > 0 ? entry.ModifyIndex : 1) };
  encodedEntries.set(entry, e);
  return e;
}

/**
 * The hot path of `GET /v1/kv/<key>` with no query string: one lookup, a body encoded once per
 * stored entry (and gzip-encoded once when a request accepts it), one header block, no routing.
 * The agent has already set the headers every response carries. It answers exactly what the
 * general KV handler answers for that request; anything else (a query string, an odd key, a
 * value Go's JSON encoder would escape) returns false and takes the general path.
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
  if (!value) {
    res.writeHead(404, [
      'X-Consul-Index',
      String(index > 0 ? index : 1),
      'X-Consul-KnownLeader',
      'true',
      'X-Consul-LastContact',
      '0',
      'X-Consul-Effective-Consistency',
      'leader',
      'Content-Length',
      '0',
    ]);
    res.end();
    return true;
  }
  const e = encodedOf(value);
  if (e.body === undefined) return false;
  let body: string | Buffer = e.body;
  let length = e.length;
  const gzip = req.headers['accept-encoding'] !== undefined && acceptsGzip(req.headers['accept-encoding']);
  if (gzip) {
    if (e.gzip === undefined) {
      e.gzip = gzipEncode(Buffer.from(e.body));
      e.gzipLength = String(e.gzip.length);
    }
    body = e.gzip;
    length = e.gzipLength as string;
  }
  const headers = [
    'X-Consul-Index',
    e.index,
    'X-Consul-KnownLeader',
    'true',
    'X-Consul-LastContact',
    '0',
    'X-Consul-Effective-Consistency',
    'leader',
    'Content-Type',
    'application/json',
    'Content-Length',
    length,
  ];
  if (gzip) headers.push('Content-Encoding', 'gzip');
  res.writeHead(200, headers);
  res.end(body);
  return true;
}
