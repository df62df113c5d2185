/**
 * Follows Docker's event stream and never gives up: when the stream ends or
 * fails (daemon restart, socket EOF) it reconnects with backoff, replaying
 * from the last event seen, and reports the reconnect so the caller can run a
 * full reconciliation for whatever the replay cannot cover.
 */
import type { Logger } from 'pino';
import type { DockerClient, EventsQuery } from './docker-client.js';
import type { DockerEvent } from './docker-types.js';
import { message } from './registry-writer.js';

export interface WatchOptions {
  readonly docker: DockerClient;
  readonly filters: EventsQuery['filters'];
  readonly logger: Logger;
  onEvent(event: DockerEvent): void;
  /** Called after every successful reconnect (not after the first connect). */
  onReconnect(): void;
  onError(err: unknown): void;
}

const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5_000;

export class DockerEventWatch {
  readonly #o: WatchOptions;
  #stream: NodeJS.ReadableStream | undefined;
  #lastTime: number | undefined;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  #backoff = MIN_BACKOFF_MS;

  constructor(options: WatchOptions) {
    this.#o = options;
  }

  /** Subscribes; rejects if the first subscription fails. */
  async start(): Promise<void> {
    await this.#connect(false);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    const s = this.#stream as (NodeJS.ReadableStream & { destroy?: () => void }) | undefined;
    this.#stream = undefined;
    s?.destroy?.();
  }

  async #connect(reconnect: boolean): Promise<void> {
    const since = this.#lastTime !== undefined ? Math.floor(this.#lastTime) : undefined;
    const stream = await this.#o.docker.events({ filters: this.#o.filters, ...(since !== undefined ? { since } : {}) });
    if (this.#stopped) {
      (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      return;
    }
    this.#stream = stream;
    this.#backoff = MIN_BACKOFF_MS;
    let buffered = '';
    let ended = false;
    const onEnd = (err?: unknown): void => {
      if (ended) return;
      ended = true;
      if (this.#stream === stream) this.#stream = undefined;
      if (this.#stopped) return;
      if (err !== undefined) this.#o.onError(err);
      this.#o.logger.warn({ err: err === undefined ? 'stream ended' : message(err) }, 'Docker event stream lost; reconnecting');
      this.#retry();
    };
    stream.on('data', (chunk: Buffer | string) => {
      buffered += chunk.toString();
      let nl = buffered.indexOf('\n');
      while (nl !== -1) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (line !== '') this.#dispatch(line);
        nl = buffered.indexOf('\n');
      }
    });
    stream.on('error', (err: unknown) => onEnd(err));
    stream.on('end', () => onEnd());
    stream.on('close', () => onEnd());
    if (reconnect) {
      this.#o.logger.info('Docker event stream reconnected');
      this.#o.onReconnect();
    }
  }

  #dispatch(line: string): void {
    let event: DockerEvent;
    try {
      event = JSON.parse(line) as DockerEvent;
    } catch {
      this.#o.logger.warn({ line: line.slice(0, 200) }, 'unreadable Docker event');
      return;
    }
    if (typeof event.time === 'number') this.#lastTime = event.time;
    this.#o.onEvent(event);
  }

  #retry(): void {
    if (this.#stopped || this.#timer) return;
    const delay = this.#backoff;
    this.#backoff = Math.min(this.#backoff * 2, MAX_BACKOFF_MS);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#connect(true).catch((err: unknown) => {
        this.#o.onError(err);
        this.#o.logger.warn({ err: message(err), retryInMs: this.#backoff }, 'cannot reach Docker');
        this.#retry();
      });
    }, delay);
  }
}
