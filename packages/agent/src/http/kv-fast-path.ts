/**
 * The hot paths of `GET /v1/kv/<key>` and `PUT /v1/kv/<key>` with no query string on the leader:
 * no routing, no query parsing, no call options, one header block written as one raw array (the
 * agent's common headers included, so that node:http never merges headers one by one). Each
 * answers exactly what the general KV handler answers for the same request; anything else (a
 * query string, an odd key, a value Go's JSON encoder would escape, a token this agent has not
 * resolved yet or that is refused) returns false and takes the general path.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Command, KvEntry, StateStore } from '@concord/state';
import type { BodyLimit } from './body-limits.js';
import { acceptsGzip, gzipEncode } from './gzip-response.js';
import { toHttpError } from './http-error.js';
import type { RequestTimer } from './request-timers.js';
import { readBodyThen } from './request.js';
import { sendText, unquoteFlags } from './respond.js';

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
  /** The whole header blocks of the answer, built on first use for the common headers in `common`. */
  common?: readonly string[];
  headers?: readonly string[];
  gzipHeaders?: readonly string[];
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

/** A write's answer (`true` or `false`), plain and gzip-encoded, each with its whole header block. */
export interface WriteAnswer {
  body: string;
  headers: readonly string[];
  gzip: Buffer;
  gzipHeaders: readonly string[];
}

export function writeAnswer(body: string, common: readonly string[]): WriteAnswer {
  const gzip = gzipEncode(Buffer.from(body));
  return {
    body,
    headers: [...common, 'Content-Type', 'application/json', 'Content-Length', String(Buffer.byteLength(body))],
    gzip,
    gzipHeaders: [...common, 'Content-Type', 'application/json', 'Content-Length', String(gzip.length), 'Content-Encoding', 'gzip'],
  };
}

/** The query headers of a default-consistency read answered by the leader, after X-Consul-Index. */
const LEADER_READ = ['X-Consul-KnownLeader', 'true', 'X-Consul-LastContact', '0', 'X-Consul-Effective-Consistency', 'leader'] as const;

export interface KvFastPathOptions {
  /** The leader's state (read only when `isLeader()`). */
  state: StateStore;
  /** Only the leader answers a default-consistency read, and takes a write, without forwarding. */
  isLeader: () => boolean;
  /** Applies a command through the log, as `KVS.Apply` does on the leader. */
  /**
   * Applies a command through the log, as `KVS.Apply` does on the leader. `req` is asked for its
   * token only when the write must be passed on (leadership moved): the leader checks it then.
   */
  apply: (command: Command, req: IncomingMessage) => Promise<{ result: { value: unknown } }>;
  bodyLimit: BodyLimit;
  /** Header name/value pairs every response of the agent carries, first in each header block. */
  commonHeaders: readonly string[];
  /** With ACLs on: whether the request's token may read/write the key, decided at once; false sends the request to the general path. */
  keyAllowed?: (req: IncomingMessage, key: string, write: boolean) => boolean;
  /** The `GET` and `PUT` timers of `/v1/kv/*` (Consul's `api.http` and `http.<METHOD>.v1.kv._`). */
  timers?: { get: RequestTimer | undefined; put: RequestTimer | undefined };
  /** A failed write (before the error answer), as the router reports its failures. */
  onError?: (err: unknown, path: string) => void;
}

export class KvFastPath {
  readonly #o: KvFastPathOptions;
  readonly #common: readonly string[];
  readonly #true: WriteAnswer;
  readonly #false: WriteAnswer;

  constructor(o: KvFastPathOptions) {
    this.#o = o;
    this.#common = o.commonHeaders;
    this.#true = writeAnswer('true', o.commonHeaders);
    this.#false = writeAnswer('false', o.commonHeaders);
  }

  /** Answers the request (true) or leaves it untouched for the general path (false). */
  serve(req: IncomingMessage, res: ServerResponse): boolean {
    const url = req.url as string;
    if (!url.startsWith(PREFIX) || url.length === PREFIX.length || url.includes('?')) return false;
    const method = req.method;
    if (method !== 'GET' && method !== 'PUT') return false;
    if (!this.#o.isLeader()) return false;
    let key = url.slice(PREFIX.length);
    if (key.includes('%')) {
      try {
        key = decodeURIComponent(key);
      } catch {
        return false;
      }
    }
    const write = method === 'PUT';
    if (this.#o.keyAllowed && !this.#o.keyAllowed(req, key, write)) return false;
    const started = performance.now();
    if (write) {
      this.#put(req, res, key, url, started);
      return true;
    }
    if (!this.#get(req, res, key)) return false;
    this.#o.timers?.get?.(started);
    return true;
  }

  #get(req: IncomingMessage, res: ServerResponse, key: string): boolean {
    const { value, index } = this.#o.state.kvGet(key);
    if (!value) {
      res.writeHead(404, [...this.#common, 'X-Consul-Index', String(index > 0 ? index : 1), ...LEADER_READ, 'Content-Length', '0']);
      res.end();
      return true;
    }
    const e = encodedOf(value);
    if (e.body === undefined) return false;
    const gzip = req.headers['accept-encoding'] !== undefined && acceptsGzip(req.headers['accept-encoding']);
    if (e.common !== this.#common) {
      // (another agent in this process, with other common headers, answered it before)
      e.common = this.#common;
      e.headers = undefined;
      e.gzipHeaders = undefined;
    }
    if (gzip) {
      if (e.gzip === undefined) {
        e.gzip = gzipEncode(Buffer.from(e.body));
        e.gzipLength = String(e.gzip.length);
      }
      e.gzipHeaders ??= [...this.#entryHeaders(e.index, e.gzipLength as string), 'Content-Encoding', 'gzip'];
      res.writeHead(200, e.gzipHeaders as string[]);
      res.end(e.gzip);
      return true;
    }
    e.headers ??= this.#entryHeaders(e.index, e.length);
    // node:http only reads a raw header array, so the entry's block serves every read of it.
    res.writeHead(200, e.headers as string[]);
    res.end(e.body);
    return true;
  }

  #entryHeaders(index: string, length: string): string[] {
    return [...this.#common, 'X-Consul-Index', index, ...LEADER_READ, 'Content-Type', 'application/json', 'Content-Length', length];
  }

  /** `PUT /v1/kv/<key>`: the value is the body (none: null), flags 0, answered `true` or `false`. */
  #put(req: IncomingMessage, res: ServerResponse, key: string, url: string, started: number): void {
    const limit = this.#o.bodyLimit;
    // Callbacks, not a promise chain: a PUT makes one promise, the write's.
    readBodyThen(req, limit.max, limit.tooLarge, (err, body) => {
      if (err !== undefined || body === undefined) {
        this.#putFailed(err, res, url, started);
        return;
      }
      const command: Command = { type: 'kv', op: { Verb: 'set', Key: key, Value: body.length === 0 ? null : body.toString('base64'), Flags: 0 } };
      let write: Promise<{ result: { value: unknown } }>;
      try {
        write = this.#o.apply(command, req);
      } catch (e) {
        this.#putFailed(e, res, url, started);
        return;
      }
      write.then(
        (out) => this.#putDone(out.result.value === true, req, res, started),
        (e: unknown) => this.#putFailed(e, res, url, started),
      );
    });
  }

  #putDone(stored: boolean, req: IncomingMessage, res: ServerResponse, started: number): void {
    // (answered meanwhile: the request's body timed out)
    if (res.headersSent) return;
    sendWriteAnswer(req, res, stored ? this.#true : this.#false);
    // As the routed path's timer, which counts answers that were sent.
    if (!res.destroyed) this.#o.timers?.put?.(started);
  }

  #putFailed(err: unknown, res: ServerResponse, url: string, started: number): void {
    this.#o.onError?.(err, url);
    if (sendWriteFailure(res, this.#common, err)) this.#o.timers?.put?.(started);
  }
}

/** Sends a write's answer, gzip-encoded when the client takes it (as the routed path answers). */
export function sendWriteAnswer(req: IncomingMessage, res: ServerResponse, answer: WriteAnswer): void {
  const gzip = req.headers['accept-encoding'] !== undefined && acceptsGzip(req.headers['accept-encoding']);
  // node:http only reads a raw header array, so one prebuilt block serves every answer.
  res.writeHead(200, (gzip ? answer.gzipHeaders : answer.headers) as string[]);
  res.end(gzip ? answer.gzip : answer.body);
}

/** Sends a failed write's error as the router does (status and plain text); false when the response is gone. */
export function sendWriteFailure(res: ServerResponse, common: readonly string[], err: unknown): boolean {
  if (res.headersSent || res.destroyed) return false;
  for (let i = 0; i < common.length; i += 2) res.setHeader(common[i] as string, common[i + 1] as string);
  const e = toHttpError(err);
  sendText(res, e.status, e.message);
  return true;
}
