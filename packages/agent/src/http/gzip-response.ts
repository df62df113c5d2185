/**
 * Response compression as Consul's HTTP server does it (NYTimes gziphandler with `MinSize(0)`
 * around every API handler): a body is gzipped when the request's `Accept-Encoding` accepts
 * gzip, the body is not empty and no `Content-Encoding` is set yet; every response says
 * `Vary: Accept-Encoding`. Bodies written in pieces (streams: `write()` sends the headers
 * first) are left as they are.
 */
import { type IncomingMessage, ServerResponse } from 'node:http';
import { constants, gzipSync } from 'node:zlib';

/** Bodies shorter than this are sent as they are (Consul's gziphandler uses `MinSize(0)`). */
export const GZIP_MIN_BYTES = 1;

/** Content types that are compressed already: gzipping them again only costs time. */
const COMPRESSED_TYPES = /^application\/(?:x-)?(?:gzip|tar\+gzip|zip)\b/i;

/**
 * Whether an `Accept-Encoding` value accepts gzip: `gzip` (or `*`) listed with a q-value above 0,
 * as gziphandler's `acceptsGzip` decides it.
 */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  if (header === undefined) return false;
  const value = Array.isArray(header) ? header.join(',') : header;
  if (value.length > 4096) return false;
  let star: boolean | undefined;
  for (const part of value.split(',')) {
    const [rawName = '', ...params] = part.split(';');
    const name = rawName.trim().toLowerCase();
    if (name !== 'gzip' && name !== '*') continue;
    let q = 1;
    for (const p of params) {
      const [k = '', v = ''] = p.split('=');
      if (k.trim().toLowerCase() === 'q') q = Number.parseFloat(v.trim());
    }
    const ok = Number.isFinite(q) && q > 0;
    if (name === 'gzip') return ok;
    star = ok;
  }
  return star ?? false;
}

/** The gzipped body, or undefined when this request and body are not to be compressed. */
export function gzipBody(req: IncomingMessage, body: Buffer): Buffer | undefined {
  if (body.length < GZIP_MIN_BYTES || req.method === 'HEAD' || !acceptsGzip(req.headers['accept-encoding'])) return undefined;
  return gzipSync(body, { level: constants.Z_DEFAULT_COMPRESSION });
}

type EndCallback = () => void;

/**
 * The agent's `ServerResponse` (`createServer({ ServerResponse: CompressingResponse })`): a body
 * given whole to `end()` is compressed when the request accepts gzip.
 */
export class CompressingResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
  override end(chunk?: unknown, encoding?: unknown, cb?: unknown): this {
    const superEnd = super.end as (...a: unknown[]) => this;
    if (chunk === undefined || chunk === null || typeof chunk === 'function' || this.headersSent) {
      return superEnd.call(this, chunk, encoding, cb);
    }
    if (this.hasHeader('content-encoding') || COMPRESSED_TYPES.test(String(this.getHeader('content-type') ?? ''))) {
      return superEnd.call(this, chunk, encoding, cb);
    }
    const body =
      typeof chunk === 'string'
        ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
        : chunk instanceof Uint8Array
          ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
          : undefined;
    const gz = body ? gzipBody(this.req, body) : undefined;
    if (!gz) return superEnd.call(this, chunk, encoding, cb);
    this.setHeader('Content-Encoding', 'gzip');
    this.setHeader('Content-Length', gz.length);
    const done = typeof encoding === 'function' ? (encoding as EndCallback) : typeof cb === 'function' ? (cb as EndCallback) : undefined;
    return superEnd.call(this, gz, done);
  }
}
