import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseDuration } from '@concord/goflags';
import { DEFAULT_BODY_LIMIT } from './body-limits.js';
import { type Body, isBody } from '../decode/body.js';
import { HttpError, badRequest } from './http-error.js';

/** One HTTP request with its parsed query string. */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  /** Path without the query string, still URL-encoded. */
  path: string;
  query: URLSearchParams;
  params: Record<string, string | undefined>;
  pretty: boolean;
}

/** Presence flags: `?recurse`, `?recurse=`, `?recurse=false` all mean "on", as in Consul. */
export function flag(q: URLSearchParams, name: string): boolean {
  return q.has(name);
}

/** An unsigned integer query parameter; 400 with `message` when malformed. */
export function uintParam(q: URLSearchParams, name: string, message: string): number | undefined {
  const raw = q.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^\d+$/.test(raw)) throw badRequest(message);
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw badRequest(message);
  return n;
}

const MAX_UINT64 = 2n ** 64n - 1n;

/**
 * An unsigned 64-bit query parameter (KV `flags`): a number when it is exact
 * as one, else its decimal string (Consul's lock flags are above 2^53).
 */
export function uint64Param(q: URLSearchParams, name: string, message: string): number | string | undefined {
  const raw = q.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^\d{1,20}$/.test(raw)) throw badRequest(message);
  const big = BigInt(raw);
  if (big > MAX_UINT64) throw badRequest(message);
  return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big.toString();
}

/** Reads the body, refusing more than `limit` bytes with 413. */
export function readBody(req: IncomingMessage, limit: number, tooLarge: (size: number) => string): Promise<Buffer> {
  return new Promise((resolve, reject) => readBodyThen(req, limit, tooLarge, (err, body) => (err ? reject(err) : resolve(body as Buffer))));
}

/** `readBody` for a hot path: `done` is called once, with the body or the error, and no promise is made. */
export function readBodyThen(req: IncomingMessage, limit: number, tooLarge: (size: number) => string, done: (err: Error | undefined, body?: Buffer) => void): void {
  const declared = Number(req.headers['content-length'] ?? -1);
  if (declared > limit) {
    req.resume();
    done(new HttpError(413, tooLarge(declared)));
    return;
  }
  let first: Buffer | undefined;
  let chunks: Buffer[] | undefined;
  let size = 0;
  // done is called once: an error after the end, or the end after a refusal, is not reported
  let settled = false;
  req.on('data', (chunk: Buffer) => {
    if (settled) return;
    size += chunk.length;
    if (size > limit) {
      settled = true;
      done(new HttpError(413, tooLarge(size)));
      req.resume();
      return;
    }
    if (first === undefined) first = chunk;
    else (chunks ??= [first]).push(chunk);
  });
  req.on('end', () => {
    if (settled) return;
    settled = true;
    done(undefined, chunks ? Buffer.concat(chunks, size) : (first ?? EMPTY));
  });
  req.on('error', (err) => {
    if (settled) return;
    settled = true;
    done(err);
  });
}

const EMPTY = Buffer.alloc(0);

/** Parses a JSON body; an empty body gives `undefined`. */
export function parseJsonBody(body: Buffer, what = 'Request decode failed'): unknown {
  if (body.length === 0) return undefined;
  const text = body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`${what}: ${(err as Error).message}`);
  }
}

/** Reads a JSON object body of at most 1 MiB; anything else is a 400. */
export async function readJsonObject(ctx: RequestContext): Promise<Body> {
  const body = parseJsonBody(await readBody(ctx.req, DEFAULT_BODY_LIMIT, () => 'Request body too large'));
  if (!isBody(body)) throw badRequest('Request decode failed: body must be a JSON object');
  return body;
}

/** Parses `?wait=`, defaulting and capping like Consul (default 5m, max 10m). */
export function waitParam(q: URLSearchParams, defaultMs: number, maxMs: number): number {
  const raw = q.get('wait');
  if (raw === null || raw === '') return defaultMs;
  const ms = parseDuration(raw);
  if (ms === undefined || ms < 0) throw badRequest('Invalid wait time');
  return Math.min(ms, maxMs);
}

/** Decodes one path segment; 400 for bad escapes or invalid UTF-8. */
export function decodeSegment(raw: string, what: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw badRequest(`Invalid ${what}: not valid UTF-8 or bad escape`);
  }
}

/**
 * The rest of the path after a route's `*`, URL-decoded once: Consul takes IDs and names as
 * `strings.TrimPrefix` of the decoded path, so they may contain `/` (raw or as `%2F`).
 */
export function pathRest(ctx: RequestContext, what: string): string {
  return decodeSegment(ctx.params['*'] ?? '', what);
}

/** `pathRest`, answering 400 `missing` when the rest of the path is empty. */
export function requiredPathRest(ctx: RequestContext, what: string, missing: string): string {
  const rest = pathRest(ctx, what);
  if (rest === '') throw badRequest(missing);
  return rest;
}
