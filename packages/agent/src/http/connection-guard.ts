/**
 * Bounds on HTTP connections, as Consul's `limits.http_max_conns_per_client`: one client address
 * may hold at most `maxPerClient` connections (Consul's default 200). A connection beyond that is
 * answered 429 with Consul's words and closed at its first request, and closed without an answer
 * if it sends none within `excessGraceMs`. The agent's own requests forwarded from other agents
 * (replayed over loopback with the hop header) are not counted. A request body must arrive
 * within `bodyTimeoutMs` of its headers; a response may take as long as it needs (blocking
 * queries), since only the request is timed.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export const TOO_MANY_CONNECTIONS = 'Your IP is issuing too many concurrent connections, please rate limit your calls';

interface ConnState {
  readonly ip: string;
  excess: boolean;
  counted: boolean;
  seenRequest: boolean;
  timer: NodeJS.Timeout | undefined;
}

export interface ConnectionGuardOptions {
  /** 0 = no per-client cap. */
  readonly maxPerClient: number;
  readonly bodyTimeoutMs: number;
  /** How long a connection beyond the cap may stay without sending a request. Default 2 s. */
  readonly excessGraceMs?: number;
}

export class ConnectionGuard {
  readonly #o: ConnectionGuardOptions;
  readonly #perClient = new Map<string, number>();
  readonly #conns = new WeakMap<Socket, ConnState>();
  /** Connections closed or answered 429 because their client was over the cap. */
  rejected = 0;

  constructor(o: ConnectionGuardOptions) {
    this.#o = o;
  }

  attach(server: Server): void {
    server.on('connection', (socket: Socket) => this.#onConnection(socket));
  }

  #onConnection(socket: Socket): void {
    if (this.#o.maxPerClient <= 0) return;
    const ip = socket.remoteAddress ?? '';
    const n = (this.#perClient.get(ip) ?? 0) + 1;
    this.#perClient.set(ip, n);
    const st: ConnState = { ip, excess: n > this.#o.maxPerClient, counted: true, seenRequest: false, timer: undefined };
    this.#conns.set(socket, st);
    if (st.excess) {
      st.timer = setTimeout(() => {
        if (!st.seenRequest) {
          this.rejected++;
          socket.destroy();
        }
      }, this.#o.excessGraceMs ?? 2000);
      st.timer.unref();
    }
    socket.once('close', () => {
      if (st.timer) clearTimeout(st.timer);
      this.#uncount(st);
    });
  }

  #uncount(st: ConnState): void {
    if (!st.counted) return;
    st.counted = false;
    const left = (this.#perClient.get(st.ip) ?? 1) - 1;
    if (left <= 0) this.#perClient.delete(st.ip);
    else this.#perClient.set(st.ip, left);
  }

  /**
   * Call first for every request. Returns false when the request was answered here (429) and must
   * not be handled.
   */
  admit(req: IncomingMessage, res: ServerResponse): boolean {
    this.#timeBody(req, res);
    const st = this.#conns.get(req.socket);
    if (st === undefined) return true;
    if (!st.seenRequest) {
      st.seenRequest = true;
      if (st.timer) clearTimeout(st.timer);
    }
    if (!st.excess) return true;
    this.rejected++;
    res.shouldKeepAlive = false;
    res.writeHead(429, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
    res.end(TOO_MANY_CONNECTIONS);
    req.resume();
    return false;
  }

  /**
   * Requests admitted in this loop turn whose body was still to come, and when the first of them
   * was admitted: most bodies arrive in the packet of their headers and have been read by the end
   * of the turn, so only the ones still incomplete then get a timer.
   */
  #unread: { req: IncomingMessage; res: ServerResponse }[] = [];
  #unreadSince = 0;

  #timeBody(req: IncomingMessage, res: ServerResponse): void {
    if (req.complete) return;
    // Without Content-Length or Transfer-Encoding a request has no body (RFC 9112 6.3): nothing to wait for.
    const h = req.headers;
    if ((h['content-length'] === undefined || h['content-length'] === '0') && h['transfer-encoding'] === undefined) return;
    if (this.#unread.length === 0) {
      this.#unreadSince = Date.now();
      setImmediate(() => this.#timeUnread());
    }
    this.#unread.push({ req, res });
  }

  /** Gives each request of the turn whose body is not in yet the time left of its timeout. */
  #timeUnread(): void {
    const unread = this.#unread;
    this.#unread = [];
    const ms = Math.max(0, this.#unreadSince + this.#o.bodyTimeoutMs - Date.now());
    for (const { req, res } of unread) {
      if (req.complete || req.destroyed) continue;
      const timer = setTimeout(() => {
        if (req.complete) return;
        if (!res.headersSent) {
          res.shouldKeepAlive = false;
          res.writeHead(408, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
          res.end('Request body not received in time');
        }
        req.socket.destroySoon();
      }, ms);
      timer.unref();
      // A request emits 'close' once its body was read (or dumped when the answer went first) and
      // when its connection goes away, so this one listener clears the timer in every case.
      req.once('close', () => clearTimeout(timer));
    }
  }
}
