/**
 * Response compression as Consul's HTTP server does it (NYTimes gziphandler with `MinSize(0)`
 * around every API handler): a body is gzip-encoded when the request's `Accept-Encoding` accepts
 * gzip, the body is not empty and no `Content-Encoding` is set yet; every response says
 * `Vary: Accept-Encoding`. Bodies written in pieces (streams: `write()` sends the headers
 * first) are left as they are.
 *
 * Go's gziphandler reuses pooled compressors; a zlib stream in Node costs ~50-100 µs to set up,
 * several times a small KV read's own work. So a body under DEFLATE_MIN_BYTES (about one packet,
 * where compressing saves nothing) is gzip-encoded at level 0: one stored block, framed with
 * gzip's header, CRC-32 and length (a few µs). Larger bodies are deflated.
 */
import { type IncomingMessage, ServerResponse } from 'node:http';
import { constants, crc32, gzipSync } from 'node:zlib';

/** Empty bodies are sent as they are (Consul's gziphandler uses `MinSize(0)`). */
export const GZIP_MIN_BYTES = 1;
/** From this size on a body is deflated; below it, stored (gziphandler's DefaultMinSize). */
export const DEFLATE_MIN_BYTES = 1400;

/** gzip header: magic, deflate, no flags, no mtime, no extra flags, OS unknown. */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);

/** A gzip member holding `body` (under 64 KiB) in one stored deflate block. */
export function storedGzip(body: Buffer): Buffer {
  const n = body.length;
  const out = Buffer.allocUnsafe(GZIP_HEADER.length + 5 + n + 8);
  GZIP_HEADER.copy(out, 0);
  let at = GZIP_HEADER.length;
  out[at] = 1; // BFINAL, BTYPE 00 (stored)
  out.writeUInt16LE(n, at + 1);
  out.writeUInt16LE(~n & 0xffff, at + 3);
  at += 5;
  body.copy(out, at);
  at += n;
  out.writeUInt32LE(crc32(body), at);
  out.writeUInt32LE(n, at + 4);
  return out;
}

/** The body gzip-encoded: stored when small, deflated otherwise. */
export function gzipEncode(body: Buffer): Buffer {
  return body.length < DEFLATE_MIN_BYTES ? storedGzip(body) : gzipSync(body, { level: constants.Z_DEFAULT_COMPRESSION });
}

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
  return gzipEncode(body);
}

type EndCallback = () => void;

/**
 * The agent's `ServerResponse` (`createServer({ ServerResponse: CompressingResponse })`): a body
 * given whole to `end()` is compressed when the request accepts gzip.
 */
export class CompressingResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
  override end(chunk?: unknown, encoding?: unknown, cb?: unknown): this {
    const superEnd = super.end as (...a: unknown[]) => this;
    if (chunk === undefined || chunk === null || typeof chunk === 'function' || this.headersSent || this.req.headers['accept-encoding'] === undefined) {
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
