/**
 * Requests between servers on the transport's connections, beside Raft's own frames (e.g. a write
 * a follower forwards to its leader). The sender numbers each request; the receiver answers on the
 * same connection with the same number, in any order. Payloads are opaque: the application encodes
 * its calls, answers and errors. A `request` frame is `u32 id` + payload; a `reply` frame is
 * `u32 id` + `u8 outcome` (0: the handler's answer follows; 1: the handler failed, 2: no handler
 * serves requests there; a UTF-8 reason follows) + payload.
 */
import type { Socket } from 'node:net';
import { FrameKind, frameHeader } from './frames.js';

/**
 * A request that got no answer. `delivered` false: it never reached the peer. `served` false: no
 * handler saw it (not delivered, or the peer serves no requests yet). Either way sending it again
 * cannot act twice.
 */
export class RequestError extends Error {
  readonly code = 'RAFT_REQUEST';
  constructor(
    message: string,
    readonly delivered: boolean,
    readonly served: boolean = delivered,
  ) {
    super(message);
  }
}

/** Answers one request; rejecting sends the error's message back as the failure reason. */
export type RequestHandler = (payload: Uint8Array, signal: AbortSignal) => Promise<Uint8Array>;

/** Bytes of a request's or a reply's own header inside the frame payload. */
export const REQUEST_ID_BYTES = 4;
/**
 * The number of the empty request a sender opens each connection with. The receiver answers it
 * itself, at once: until that answer comes, the sender holds its requests back, so a peer that
 * takes no requests (an older version closes the connection at the unknown frame kind) never
 * received one, and the caller may send it another way.
 */
export const HELLO_ID = 0;
const OUTCOME_ANSWER = 0;
const OUTCOME_FAILED = 1;
const OUTCOME_NOT_SERVED = 2;

/**
 * Queues a frame on `socket`, corked until `release` runs: frames written meanwhile leave in one
 * syscall.
 */
function writeCorked(socket: Socket, parts: readonly Uint8Array[], release: (fn: () => void) => void): void {
  if (socket.writableCorked === 0) {
    socket.cork();
    release(() => socket.uncork());
  }
  for (const p of parts) socket.write(p);
}

/**
 * Requests are corked until the check phase of the event loop's current turn: the requests of
 * every caller the turn's I/O woke (HTTP requests arriving on many connections at once) leave in
 * one syscall, and none waits for another turn.
 */
const endOfTurn = (fn: () => void): void => {
  setImmediate(fn);
};

/**
 * Replies are corked until the end of the current tick: replies settled together (a Ready that
 * applied many forwarded writes) leave in one syscall.
 */
const endOfTick = (fn: () => void): void => {
  process.nextTick(fn);
};

function idBytes(id: number, outcome?: number): Buffer {
  const b = Buffer.allocUnsafe(outcome === undefined ? REQUEST_ID_BYTES : REQUEST_ID_BYTES + 1);
  b.writeUInt32BE(id, 0);
  if (outcome !== undefined) b[REQUEST_ID_BYTES] = outcome;
  return b;
}

/** Writes a request frame. */
export function writeRequest(socket: Socket, id: number, payload: Uint8Array): void {
  writeCorked(socket, [frameHeader(FrameKind.request, REQUEST_ID_BYTES + payload.byteLength), idBytes(id), payload], endOfTurn);
}

/** Writes the reply to request `id`: the handler's answer, or its failure. */
export function writeReply(socket: Socket, id: number, outcome: { answer: Uint8Array } | { failed: string } | { notServed: string }): void {
  const body = 'answer' in outcome ? outcome.answer : Buffer.from('failed' in outcome ? outcome.failed : outcome.notServed, 'utf8');
  const kind = 'answer' in outcome ? OUTCOME_ANSWER : 'failed' in outcome ? OUTCOME_FAILED : OUTCOME_NOT_SERVED;
  writeCorked(socket, [frameHeader(FrameKind.reply, REQUEST_ID_BYTES + 1 + body.byteLength), idBytes(id, kind), body], endOfTick);
}

/** The request number a reply frame answers; throws on one too short. */
export function replyId(payload: Uint8Array): number {
  if (payload.byteLength < REQUEST_ID_BYTES + 1) throw new Error('reply frame too short');
  return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).readUInt32BE(0);
}

/** Splits a request frame's payload; throws on one too short to hold its id. */
export function readRequest(payload: Uint8Array): { id: number; body: Uint8Array } {
  if (payload.byteLength < REQUEST_ID_BYTES) throw new Error('request frame without an id');
  const view = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  return { id: view.readUInt32BE(0), body: payload.subarray(REQUEST_ID_BYTES) };
}

interface Waiting {
  readonly resolve: (answer: Uint8Array) => void;
  readonly reject: (err: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** The requests sent on one outbound connection that wait for their reply. */
export class PendingRequests {
  #next = 0;
  readonly #waiting = new Map<number, Waiting>();

  get size(): number {
    return this.#waiting.size;
  }

  /** Numbers a new request; its promise settles with the reply, at `timeoutMs`, or when the connection fails. */
  add(timeoutMs: number): { id: number; answer: Promise<Uint8Array> } {
    this.#next = this.#next >= 0xffff_ffff ? 1 : this.#next + 1;
    const id = this.#next;
    const answer = new Promise<Uint8Array>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        reject(new RequestError(`no reply within ${timeoutMs} ms`, true));
      }, timeoutMs);
      this.#waiting.set(id, { resolve, reject, timer });
    });
    return { id, answer };
  }

  /** Settles the request a reply frame answers; throws on a malformed frame (the caller closes the connection). */
  settle(payload: Uint8Array): void {
    if (payload.byteLength < REQUEST_ID_BYTES + 1) throw new Error('reply frame too short');
    const view = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    const id = view.readUInt32BE(0);
    const w = this.#waiting.get(id);
    if (!w) return; // timed out meanwhile
    this.#waiting.delete(id);
    clearTimeout(w.timer);
    const body = payload.subarray(REQUEST_ID_BYTES + 1);
    const outcome = view[REQUEST_ID_BYTES];
    if (outcome === OUTCOME_ANSWER) w.resolve(body);
    else w.reject(new RequestError(Buffer.from(body).toString('utf8'), true, outcome !== OUTCOME_NOT_SERVED));
  }

  /** Fails every request still waiting. */
  failAll(err: RequestError): void {
    for (const w of this.#waiting.values()) {
      clearTimeout(w.timer);
      w.reject(err);
    }
    this.#waiting.clear();
  }
}
