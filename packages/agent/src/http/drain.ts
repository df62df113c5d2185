/**
 * Closing the HTTP listener without cutting requests in progress: a write that is being
 * committed (perhaps forwarded from another agent) gets its answer. Blocking queries are ended
 * at once, since they may wait for minutes and any client simply asks again elsewhere.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** Whether a request URL (path and query) is a blocking query: it carries `?index=` or `?hash=`. */
export function isBlockingQuery(url: string): boolean {
  return /[?&](?:index|hash)=/.test(url);
}

export class HttpDrain {
  readonly #server: Server;
  readonly #blocking = new Set<IncomingMessage>();
  /**
   * One listener shared by every blocking request (called with the response as `this`): tens of
   * thousands may wait at once, and a closure and a once-wrapper each would add to every one.
   */
  readonly #forget: (this: ServerResponse) => void;

  constructor(server: Server) {
    this.#server = server;
    const blocking = this.#blocking;
    this.#forget = function (this: ServerResponse) {
      blocking.delete(this.req);
    };
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const url = req.url ?? '';
      if (!url.includes('?') || !isBlockingQuery(url)) return;
      this.#blocking.add(req);
      // 'close' is emitted once per response
      res.on('close', this.#forget);
    });
  }

  /** Stops accepting connections; requests still running after `ms` are cut. */
  async close(ms: number): Promise<void> {
    const closed = new Promise<void>((r) => this.#server.close(() => r()));
    this.#server.closeIdleConnections();
    for (const req of this.#blocking) req.socket.destroy();
    const timer = setTimeout(() => this.#server.closeAllConnections(), ms);
    await closed;
    clearTimeout(timer);
  }
}
