/**
 * A single-key KV watcher as leader-election clients write it: GET the key, then block with
 * `?index=<the body's ModifyIndex>` (the `X-Consul-Index` while the key is missing), forever.
 * Every reply is recorded with how long it was held, so tests can count requests per wait
 * period and measure how soon a write wakes it.
 */
export interface WatchReply {
  status: number;
  /** The X-Consul-Index header. */
  index: number;
  /** The value (decoded), or undefined on a 404. */
  value: string | undefined;
  modifyIndex: number | undefined;
  /** When the reply arrived (epoch ms) and how long the request was held. */
  at: number;
  heldMs: number;
}

export class KeyWatcher {
  readonly replies: WatchReply[] = [];
  #stopped = false;
  #loop: Promise<void> | undefined;
  readonly #abort = new AbortController();
  readonly #listeners = new Set<(r: WatchReply) => void>();

  /** `hostPort` is `127.0.0.1:<http port>`; `maxRequests` bounds the loop. */
  constructor(
    readonly hostPort: string,
    readonly key: string,
    readonly waitMs: number,
    readonly maxRequests = 500,
  ) {}

  async #get(index: number | undefined): Promise<WatchReply> {
    const query = index === undefined ? '' : `?index=${index}&wait=${this.waitMs}ms`;
    const start = Date.now();
    const res = await fetch(`http://${this.hostPort}/v1/kv/${this.key}${query}`, {
      signal: AbortSignal.any([this.#abort.signal, AbortSignal.timeout(this.waitMs * 2 + 30_000)]),
    });
    const text = await res.text();
    const at = Date.now();
    const header = res.headers.get('x-consul-index') ?? '';
    if (!/^[1-9]\d*$/.test(header)) throw new Error(`bad X-Consul-Index "${header}" (status ${res.status})`);
    let value: string | undefined;
    let modifyIndex: number | undefined;
    if (res.status === 200) {
      const [entry] = JSON.parse(text) as { Value: string | null; ModifyIndex: number }[];
      value = entry?.Value ? Buffer.from(entry.Value, 'base64').toString('utf8') : '';
      modifyIndex = entry?.ModifyIndex;
    } else if (res.status !== 404) {
      throw new Error(`GET ${this.key}: ${res.status} ${text}`);
    }
    return { status: res.status, index: Number(header), value, modifyIndex, at, heldMs: at - start };
  }

  /** Starts the loop; resolves with the first reply. */
  async start(): Promise<WatchReply> {
    const first = await this.#get(undefined);
    this.#record(first);
    this.#loop = (async () => {
      let last = first;
      while (!this.#stopped && this.replies.length < this.maxRequests) {
        let reply: WatchReply;
        try {
          reply = await this.#get(last.modifyIndex ?? last.index);
        } catch (err) {
          if (this.#stopped) return;
          throw err;
        }
        this.#record(reply);
        last = reply;
      }
    })();
    return first;
  }

  #record(r: WatchReply): void {
    this.replies.push(r);
    for (const l of this.#listeners) l(r);
  }

  /** Resolves with the first reply (from now on) that satisfies `pred`, or rejects after `timeoutMs`. */
  next(pred: (r: WatchReply) => boolean, timeoutMs: number): Promise<WatchReply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#listeners.delete(listener);
        reject(new Error(`watcher of ${this.key} saw no matching reply within ${timeoutMs} ms`));
      }, timeoutMs);
      const listener = (r: WatchReply): void => {
        if (!pred(r)) return;
        clearTimeout(timer);
        this.#listeners.delete(listener);
        resolve(r);
      };
      this.#listeners.add(listener);
    });
  }

  /** Stops the loop (aborting the request in flight) and surfaces any error it hit. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort.abort();
    await this.#loop;
  }
}
