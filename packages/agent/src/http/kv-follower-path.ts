/**
 * The hot path of KV writes taken by a follower: `PUT /v1/kv/<key>` (with `?flags`, `?cas`,
 * `?acquire` or `?release`) and `DELETE /v1/kv/<key>` (with `?cas` or `?recurse`) are parsed once
 * here, without the router, the call options or the typed call's JSON, and passed to the leader
 * as the KV command (which the cluster sends on the Raft connection as its binary record, with
 * the caller's token; the leader checks that token again). The answer is the leader's, with the
 * same headers, status and text as the general KV handler's. Anything this path does not take as
 * is (another query parameter, a malformed one, an odd key, a token this agent has not resolved
 * yet or that is refused here, a server that leads) returns false before the body is read, and
 * the general path answers it: its errors (400s, ACL 403s) are its own.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KvOp } from '@concord/state';
import type { BodyLimit } from './body-limits.js';
import { lockParams } from './endpoints/kv.js';
import { type WriteAnswer, sendWriteAnswer, sendWriteFailure, writeAnswer } from './kv-fast-path.js';
import type { RequestTimer } from './request-timers.js';
import { readBodyThen, uint64Param, uintParam } from './request.js';

const PREFIX = '/v1/kv/';

/** A `kv` command, as the follower passes it to the leader. */
export interface KvWrite {
  type: 'kv';
  op: KvOp;
}

export interface KvFollowerPathOptions {
  /** A server that leads answers through its own fast path and the router, never this one. */
  isLeader: () => boolean;
  /**
   * Applies the command through the leader, as `KVS.Apply` does, with the request's token (or
   * the agent's default), and resolves the state machine's answer; fails as the typed call
   * would (`No cluster leader` after the leader wait, the leader's refusals and errors).
   */
  forward: (command: KvWrite, req: IncomingMessage) => Promise<{ result: { value: unknown } }>;
  bodyLimit: BodyLimit;
  /** Header name/value pairs every response of the agent carries, first in each header block. */
  commonHeaders: readonly string[];
  /**
   * With ACLs on: whether the request's token may write the key (`prefix`: every key under it),
   * decided at once; false sends the request to the general path (the ACL gate).
   */
  keyWritable?: (req: IncomingMessage, key: string, prefix: boolean) => boolean;
  /** The `PUT` and `DELETE` timers of `/v1/kv/*`. */
  timers?: { put: RequestTimer | undefined; delete: RequestTimer | undefined };
  /** A failed write (before the error answer), as the router reports its failures. */
  onError?: (err: unknown, path: string) => void;
}

/** Query parameters a PUT and a DELETE of this path take; any other sends the request to the general path. */
const PUT_PARAMS: ReadonlySet<string> = new Set(['flags', 'cas', 'acquire', 'release']);
const DELETE_PARAMS: ReadonlySet<string> = new Set(['cas', 'recurse']);
const NO_QUERY: Readonly<URLSearchParams> = new URLSearchParams();

/** The query of `url` when every parameter is one `allowed` takes, each at most once; undefined otherwise. */
function queryOf(url: string, at: number, allowed: ReadonlySet<string>): URLSearchParams | undefined {
  if (at === -1) return NO_QUERY;
  const q = new URLSearchParams(url.slice(at + 1));
  let n = 0;
  for (const name of q.keys()) {
    if (!allowed.has(name)) return undefined;
    n++;
  }
  // A repeated parameter (the general path reads the first) or more than one verb.
  const names = new Set(q.keys());
  if (names.size !== n) return undefined;
  if ((names.has('cas') ? 1 : 0) + (names.has('acquire') ? 1 : 0) + (names.has('release') ? 1 : 0) + (names.has('recurse') ? 1 : 0) > 1) return undefined;
  return q;
}

/**
 * The op of a PUT as the KV handler builds it (value filled in once the body is read), or
 * undefined when the handler would refuse the query (it then answers the refusal itself).
 */
function putOp(key: string, q: URLSearchParams): KvOp | undefined {
  if (key === '') return undefined;
  let flags: number | string | undefined;
  let index: number | undefined;
  try {
    flags = uint64Param(q, 'flags', '');
    if (q.has('cas')) index = uintParam(q, 'cas', '') ?? 0;
  } catch {
    return undefined;
  }
  const op: KvOp = { Verb: 'set', Key: key, Value: null, Flags: flags ?? 0 };
  if (index !== undefined) {
    op.Verb = 'cas';
    op.Index = index;
  } else lockParams(op, q);
  return op;
}

/** The op of a DELETE as the KV handler builds it, or undefined when the handler would refuse it. */
function deleteOp(key: string, q: URLSearchParams): KvOp | undefined {
  const recurse = q.has('recurse');
  if (!recurse && key === '') return undefined;
  if (!q.has('cas')) return { Verb: recurse ? 'delete-tree' : 'delete', Key: key };
  let index: number;
  try {
    index = uintParam(q, 'cas', '') ?? 0;
  } catch {
    return undefined;
  }
  return { Verb: 'delete-cas', Key: key, Index: index };
}

export class KvFollowerPath {
  readonly #o: KvFollowerPathOptions;
  readonly #true: WriteAnswer;
  readonly #false: WriteAnswer;

  constructor(o: KvFollowerPathOptions) {
    this.#o = o;
    this.#true = writeAnswer('true', o.commonHeaders);
    this.#false = writeAnswer('false', o.commonHeaders);
  }

  /** Answers the request (true) or leaves it untouched for the general path (false). */
  serve(req: IncomingMessage, res: ServerResponse): boolean {
    const url = req.url as string;
    if (!url.startsWith(PREFIX)) return false;
    const method = req.method;
    const put = method === 'PUT';
    if (!put && method !== 'DELETE') return false;
    if (this.#o.isLeader()) return false;
    const at = url.indexOf('?');
    const q = queryOf(url, at, put ? PUT_PARAMS : DELETE_PARAMS);
    if (!q) return false;
    let key = at === -1 ? url.slice(PREFIX.length) : url.slice(PREFIX.length, at);
    if (key.includes('%')) {
      try {
        key = decodeURIComponent(key);
      } catch {
        return false;
      }
    }
    const op = put ? putOp(key, q) : deleteOp(key, q);
    if (!op) return false;
    if (this.#o.keyWritable && !this.#o.keyWritable(req, key, op.Verb === 'delete-tree')) return false;
    const started = performance.now();
    const timer = put ? this.#o.timers?.put : this.#o.timers?.delete;
    if (!put) {
      this.#forward(op, req, res, url, started, timer);
      return true;
    }
    const limit = this.#o.bodyLimit;
    readBodyThen(req, limit.max, limit.tooLarge, (err, body) => {
      if (err !== undefined || body === undefined) {
        this.#failed(err, res, url, started, timer);
        return;
      }
      if (body.length > 0) op.Value = body.toString('base64');
      this.#forward(op, req, res, url, started, timer);
    });
    return true;
  }

  #forward(op: KvOp, req: IncomingMessage, res: ServerResponse, url: string, started: number, timer: RequestTimer | undefined): void {
    let write: Promise<{ result: { value: unknown } }>;
    try {
      write = this.#o.forward({ type: 'kv', op }, req);
    } catch (e) {
      this.#failed(e, res, url, started, timer);
      return;
    }
    write.then(
      (out) => {
        sendWriteAnswer(req, res, out.result.value === true ? this.#true : this.#false);
        // As the routed path's timer, which counts answers that were sent.
        if (!res.destroyed) timer?.(started);
      },
      (e: unknown) => this.#failed(e, res, url, started, timer),
    );
  }

  #failed(err: unknown, res: ServerResponse, url: string, started: number, timer: RequestTimer | undefined): void {
    this.#o.onError?.(err, url);
    if (sendWriteFailure(res, this.#o.commonHeaders, err)) timer?.(started);
  }
}
