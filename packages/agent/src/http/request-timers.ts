/**
 * Consul's per-request HTTP timers: `api.http` (labels method and path) and `http.<METHOD>.<path
 * parts>`, keyed by the route pattern a request reaches (see `httpMetricKey`). Each (method,
 * pattern) pair gets its two timers once, with their metric names worked out then; paths this
 * agent has no route for could name unboundedly many metrics, so past a cap they share `other`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { httpMetricKey } from '../telemetry/http-metrics.js';
import type { Telemetry } from '../telemetry/telemetry.js';

const HTTP_METHODS = new Set(['GET', 'PUT', 'POST', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH']);
/** Distinct (method, metric label) pairs before new ones are counted as `other`. */
export const MAX_HTTP_TIMER_KEYS = 512;

/** Records one request's timers, given the `performance.now()` it started at. */
export type RequestTimer = (startedMs: number) => void;

export class RequestTimers {
  readonly #telemetry: Telemetry;
  readonly #patternOf: (method: string, path: string) => string | undefined;
  /** Timers by `${method} ${label}`. */
  readonly #timers = new Map<string, RequestTimer>();

  /** `patternOf` names the route pattern a path reaches (the router's), undefined for none. */
  constructor(telemetry: Telemetry, patternOf: (method: string, path: string) => string | undefined) {
    this.#telemetry = telemetry;
    this.#patternOf = patternOf;
  }

  /**
   * The timer of requests with this method reaching this route pattern (undefined: a path with no
   * route, named from the path). Undefined for methods that are not HTTP's.
   */
  timerFor(method: string, pattern: string | undefined, path: string): RequestTimer | undefined {
    if (!HTTP_METHODS.has(method)) return undefined;
    const { key, label } = httpMetricKey(pattern, path);
    const joined = `${method} ${label}`;
    const known = this.#timers.get(joined);
    if (known) return known;
    if (this.#timers.size >= MAX_HTTP_TIMER_KEYS) return this.#other(method);
    const api = this.#telemetry.timer(['api', 'http'], { method, path: label });
    const own = this.#telemetry.timer(['http', method, ...key]);
    const timer: RequestTimer = (started) => {
      api(started);
      own(started);
    };
    this.#timers.set(joined, timer);
    return timer;
  }

  /** The shared timer of a method once the cap is reached (not counted against the cap). */
  #other(method: string): RequestTimer {
    const joined = `${method} other`;
    let timer = this.#timers.get(joined);
    if (!timer) {
      const api = this.#telemetry.timer(['api', 'http'], { method, path: 'other' });
      const own = this.#telemetry.timer(['http', method, 'other']);
      timer = (started) => {
        api(started);
        own(started);
      };
      this.#timers.set(joined, timer);
    }
    return timer;
  }

  /** Times a request from now until its response has been sent. */
  observe(req: IncomingMessage, res: ServerResponse): void {
    const started = performance.now();
    res.once('finish', () => {
      const method = (req.method ?? 'GET').toUpperCase();
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const path = q === -1 ? url : url.slice(0, q);
      this.timerFor(method, this.#patternOf(method, path), path)?.(started);
    });
  }
}
