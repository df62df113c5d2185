/**
 * Blocking reads of one key, `GET /v1/kv/<key>?index=N[&wait=D]`, answered on the leader without
 * the router: Consul's blockingQuery (wait for a change past `index`, up to `wait` plus a jitter
 * of up to a sixteenth, then answer the current entry) with far less held per waiting request.
 *
 * A parked request is the node:http request and response node:http keeps for its connection
 * anyway, plus one small record in its key's wait list (no request context, call options, abort
 * controller or suspended async functions). Each key has one watch on the state, however many
 * wait on it. When the key changes, the answer is built once for the new entry (body, gzip body
 * and header block shared by every waiter) and written to each waiter whose index it passes, a
 * slice of the list per turn of the event loop so that other requests are answered during a
 * large wake.
 *
 * Anything else (another query parameter, a malformed one, an odd key, a token this agent has not
 * resolved or that may not read the key, a follower) takes the general path, which answers the
 * same request the same way (and reports malformed parameters).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseDuration } from '@concord/goflags';
import type { KvEntry, QueryResult, StateStore } from '@concord/state';
import { DeadlineSlots, type SlotItem } from './deadline-slots.js';
import { acceptsGzip, gzipEncode } from './gzip-response.js';
import type { RequestTimer } from './request-timers.js';
import { encodeJson } from './respond.js';

const PREFIX = '/v1/kv/';
const DIGITS = /^\d+$/;
/** Time spent writing answers in one turn of the event loop before yielding to other work. */
const WAKE_SLICE_MS = 10;
/** Deadlines are kept per slot of this many ms (rounded up, so a wait never ends early). */
const DEADLINE_SLOT_MS = 25;
/** How often waiters whose clients went away are let go. */
const SWEEP_MS = 2000;

export interface BlockingKvOptions {
  state: StateStore;
  /** Only the leader answers a default-consistency read without forwarding. */
  isLeader: () => boolean;
  knownLeader: () => boolean;
  /** Header name/value pairs every response of the agent carries, first in each header block. */
  commonHeaders: readonly string[];
  defaultQueryTimeMs: number;
  maxQueryTimeMs: number;
  /** Random number in [0, 1) for the wait jitter. */
  random: () => number;
  /** With ACLs on: whether the request's token may read the key, decided at once (false: general path). */
  keyAllowed?: (req: IncomingMessage, key: string, write: boolean) => boolean;
  /** The `GET /v1/kv/*` timer (Consul's `api.http` and `http.GET.v1.kv._`). */
  timer?: RequestTimer | undefined;
  /**
   * Kept at the number of requests waiting less the state watchers their wait lists hold (one
   * per key): added to the state's watcher count, the sum counts waiting queries.
   */
  parked?: { count: number };
}

/** The answer for one state of the key, built once and written to every waiter it releases. */
class Answer {
  readonly #headers: string[];
  readonly #body: string | undefined;
  #gzipHeaders: string[] | undefined;
  #gzip: Buffer | undefined;

  constructor(common: readonly string[], result: QueryResult<KvEntry | undefined>, knownLeader: boolean) {
    const index = String(result.index > 0 ? result.index : 1);
    const meta = ['X-Consul-Index', index, 'X-Consul-KnownLeader', knownLeader ? 'true' : 'false', 'X-Consul-LastContact', '0', 'X-Consul-Effective-Consistency', 'leader'];
    if (result.value === undefined) {
      this.#headers = [...common, ...meta, 'Content-Length', '0'];
      this.#body = undefined;
      return;
    }
    this.#body = encodeJson([result.value], false);
    this.#headers = [...common, ...meta, 'Content-Type', 'application/json', 'Content-Length', String(Buffer.byteLength(this.#body))];
  }

  write(req: IncomingMessage, res: ServerResponse): void {
    const body = this.#body;
    if (body === undefined) {
      res.writeHead(404, this.#headers);
      res.end();
      return;
    }
    const encoding = req.headers['accept-encoding'];
    if (encoding !== undefined && acceptsGzip(encoding)) {
      if (this.#gzip === undefined) {
        this.#gzip = gzipEncode(Buffer.from(body));
        // Content-Length is the header block's last pair: replaced by the compressed length
        this.#gzipHeaders = [...this.#headers.slice(0, -2), 'Content-Length', String(this.#gzip.length), 'Content-Encoding', 'gzip'];
      }
      res.writeHead(200, this.#gzipHeaders as string[]);
      res.end(this.#gzip);
      return;
    }
    res.writeHead(200, this.#headers);
    res.end(body);
  }
}

/** One waiting request (its request object is `res.req`), linked into its key's wait list. */
interface Waiter extends SlotItem {
  res: ServerResponse;
  list: WaitList;
  minIndex: number;
  started: number;
  prev: Waiter | undefined;
  next: Waiter | undefined;
  /** Whether it is still on its list. */
  waiting: boolean;
}

/**
 * The requests waiting on one key, with the one watch they share. The waiters are a doubly linked
 * list through their own records: no set entry per waiting request.
 */
class WaitList {
  head: Waiter | undefined;
  tail: Waiter | undefined;
  size = 0;
  cancelWatch: (() => void) | undefined;
  waking = false;
  /** The last answer built, with the state it was built from (timeouts answer it too). */
  answer: { value: KvEntry | undefined; index: number; knownLeader: boolean; answer: Answer } | undefined;

  constructor(readonly key: string) {}

  /** Appends `w`: waiters are answered in the order they arrived. */
  add(w: Waiter): void {
    w.prev = this.tail;
    if (this.tail) this.tail.next = w;
    else this.head = w;
    this.tail = w;
    w.waiting = true;
    this.size++;
  }

  /** Takes `w` off the list; false when it was not on it. */
  delete(w: Waiter): boolean {
    if (!w.waiting) return false;
    w.waiting = false;
    if (w.prev) w.prev.next = w.next;
    else this.head = w.next;
    if (w.next) w.next.prev = w.prev;
    else this.tail = w.prev;
    w.prev = undefined;
    w.next = undefined;
    this.size--;
    return true;
  }
}

export class BlockingKvReads {
  readonly #o: BlockingKvOptions;
  readonly #lists = new Map<string, WaitList>();
  readonly #deadlines = new DeadlineSlots<Waiter>(DEADLINE_SLOT_MS, (w) => this.#timedOut(w));
  #sweeping: NodeJS.Timeout | undefined;

  constructor(o: BlockingKvOptions) {
    this.#o = o;
  }

  /** Answers or parks the request (true), or leaves it untouched for the general path (false). */
  serve(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'GET') return false;
    const url = req.url as string;
    if (!url.startsWith(PREFIX)) return false;
    const q = url.indexOf('?');
    if (q <= PREFIX.length) return false;
    const params = blockingParams(url.slice(q + 1));
    if (params === undefined || !this.#o.isLeader()) return false;
    let key = url.slice(PREFIX.length, q);
    if (key.includes('%')) {
      try {
        key = decodeURIComponent(key);
      } catch {
        return false;
      }
    }
    if (this.#o.keyAllowed && !this.#o.keyAllowed(req, key, false)) return false;
    const started = performance.now();
    const result = this.#o.state.kvGet(key);
    if (result.index > params.index) {
      this.#answer(req, res, result, started);
      return true;
    }
    const o = this.#o;
    const wait = params.waitMs > 0 ? Math.min(params.waitMs, o.maxQueryTimeMs) : Math.min(o.defaultQueryTimeMs, o.maxQueryTimeMs);
    this.#park(res, key, result, params.index, started, wait + o.random() * (wait / 16));
    return true;
  }

  #answer(req: IncomingMessage, res: ServerResponse, result: QueryResult<KvEntry | undefined>, started: number, list?: WaitList): void {
    this.#answerFor(result, list).write(req, res);
    this.#o.timer?.(started);
  }

  /** The answer for a state of the key; a list's waiters share one per state. */
  #answerFor(result: QueryResult<KvEntry | undefined>, list: WaitList | undefined): Answer {
    const knownLeader = this.#o.knownLeader();
    const last = list?.answer;
    if (last && last.value === result.value && last.index === result.index && last.knownLeader === knownLeader) return last.answer;
    const answer = new Answer(this.#o.commonHeaders, result, knownLeader);
    if (list) list.answer = { value: result.value, index: result.index, knownLeader, answer };
    return answer;
  }

  #park(res: ServerResponse, key: string, result: QueryResult<KvEntry | undefined>, minIndex: number, started: number, ms: number): void {
    let list = this.#lists.get(key);
    if (!list) {
      list = new WaitList(key);
      this.#lists.set(key, list);
    }
    const w: Waiter = { res, list, minIndex, started, slot: undefined, slotPos: 0, prev: undefined, next: undefined, waiting: false };
    this.#deadlines.add(w, Date.now() + ms);
    list.add(w);
    if (!this.#sweeping) {
      this.#sweeping = setInterval(() => this.#sweep(), SWEEP_MS);
      this.#sweeping.unref();
    }
    this.#count(1);
    if (!list.cancelWatch) this.#watch(list, result.topics);
  }

  #watch(list: WaitList, topics: readonly string[]): void {
    if (list.cancelWatch) return;
    this.#count(-1);
    list.cancelWatch = this.#o.state.watch(topics, () => {
      list.cancelWatch = undefined;
      this.#count(1);
      if (!list.waking) {
        list.waking = true;
        setImmediate(() => this.#wake(list));
      }
    });
  }

  /** The key changed: answer every waiter whose index the new state passes, a slice per turn. */
  #wake(list: WaitList): void {
    const result = this.#o.state.kvGet(list.key);
    const answer = this.#answerFor(result, list);
    const released: Waiter[] = [];
    for (let w = list.head; w; w = w.next) if (result.index > w.minIndex) released.push(w);
    for (const w of released) this.#release(w);
    list.waking = false;
    if (list.size > 0) this.#watch(list, result.topics);
    else this.#drop(list);
    this.#writeSlices(released, 0, answer);
  }

  #writeSlices(released: Waiter[], from: number, answer: Answer): void {
    const until = performance.now() + WAKE_SLICE_MS;
    let i = from;
    while (i < released.length) {
      const w = released[i++] as Waiter;
      if (!w.res.destroyed) {
        answer.write(w.res.req, w.res);
        this.#o.timer?.(w.started);
      }
      if ((i & 63) === 0 && performance.now() >= until) break;
    }
    if (i < released.length) setImmediate(() => this.#writeSlices(released, i, answer));
  }

  #timedOut(w: Waiter): void {
    this.#release(w);
    if (!w.res.destroyed) this.#answer(w.res.req, w.res, this.#o.state.kvGet(w.list.key), w.started, w.list);
  }

  /**
   * Lets go of waiters whose clients went away. Polled rather than a close listener per waiter
   * (a closure and a listener slot each): a closed connection is held at most SWEEP_MS longer.
   */
  #sweep(): void {
    let left = 0;
    for (const list of [...this.#lists.values()]) {
      for (let w = list.head; w; ) {
        const next = w.next;
        if (w.res.destroyed) this.#release(w);
        w = next;
      }
      left += list.size;
    }
    if (left === 0 && this.#sweeping) {
      clearInterval(this.#sweeping);
      this.#sweeping = undefined;
    }
  }

  /** Takes the waiter off its list (its watch too, when it was the last) and off its deadline. */
  #release(w: Waiter): void {
    this.#deadlines.remove(w);
    const list = w.list;
    if (!list.delete(w)) return;
    this.#count(-1);
    if (list.size === 0 && !list.waking) this.#drop(list);
  }

  #count(delta: number): void {
    if (this.#o.parked) this.#o.parked.count += delta;
  }

  /** Forgets a list nobody waits on any more, with its watch. */
  #drop(list: WaitList): void {
    if (list.cancelWatch) {
      list.cancelWatch();
      list.cancelWatch = undefined;
      this.#count(1);
    }
    if (this.#lists.get(list.key) === list) this.#lists.delete(list.key);
  }
}

/**
 * `index=N` (required, not 0) and optionally `wait=D`, each once and nothing else; undefined for
 * any other query (the general path answers it, malformed values with Consul's 400).
 */
function blockingParams(query: string): { index: number; waitMs: number } | undefined {
  let index: number | undefined;
  let waitMs: number | undefined;
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    if (eq < 0) return undefined;
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    if (name === 'index' && index === undefined) {
      if (!DIGITS.test(value)) return undefined;
      index = Number(value);
      if (!Number.isSafeInteger(index)) return undefined;
    } else if (name === 'wait' && waitMs === undefined) {
      if (value.includes('%')) return undefined;
      const ms = parseDuration(value);
      if (ms === undefined || ms < 0) return undefined;
      waitMs = ms;
    } else return undefined;
  }
  if (index === undefined || index === 0) return undefined;
  return { index, waitMs: waitMs ?? 0 };
}
