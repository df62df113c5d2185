/**
 * One blocking-query loop per distinct dependency, shared by every template
 * that uses it. Each loop tracks the index (starting over from 0 when the
 * agent answers with a lower one), keeps the last good value while the agent
 * is unreachable, retries with exponential backoff, and reports a change only
 * when the data changed. A loop is parked in a blocking query or a backoff
 * timer; only an endpoint that cannot block (`datacenters`) is read again
 * after its `pollMs`, as consul-template does.
 */
import { isDeepStrictEqual } from 'node:util';
import { abortableSleep, type ConsulApi } from '@concord/api';
import type { Dependency } from './dependencies.js';

export interface RetryPolicy {
  /** Failed attempts in a row before the watcher gives up (0: never). consul-template's default is 12. */
  readonly attempts: number;
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
}

export interface WatcherOptions {
  readonly api: ConsulApi;
  /** How long each blocking query may wait. Default 60 s. */
  readonly blockMs?: number;
  /** Allow stale reads from any server (consul-template's -max-stale > 0). */
  readonly stale?: boolean;
  readonly retry: RetryPolicy;
  /** Called after a dependency's data changed (or arrived for the first time). */
  readonly onChange: (key: string) => void;
  /** Called after a failed query, with the attempt number; `fatal` once the retries are used up. */
  readonly onError: (key: string, err: Error, attempt: number, fatal: boolean) => void;
}

interface View {
  readonly dep: Dependency;
  readonly abort: AbortController;
  received: boolean;
  value: unknown;
  /** Queries answered, for tests and benchmarks that count requests per change. */
  queries: number;
}

export class Watcher {
  readonly #views = new Map<string, View>();
  readonly #options: WatcherOptions;

  constructor(options: WatcherOptions) {
    this.#options = options;
  }

  /** Starts watching a dependency unless it is already watched. */
  watch(dep: Dependency): void {
    if (this.#views.has(dep.key)) return;
    const view: View = { dep, abort: new AbortController(), received: false, value: undefined, queries: 0 };
    this.#views.set(dep.key, view);
    void this.#run(view);
  }

  /** The dependency's current data, if it has arrived. */
  get(key: string): { readonly ok: boolean; readonly value?: unknown } {
    const view = this.#views.get(key);
    return view?.received ? { ok: true, value: view.value } : { ok: false };
  }

  /** A dependency's data by the dependency (what a render reads through). */
  lookup(dep: Dependency): { readonly ok: boolean; readonly value?: unknown } {
    return this.get(dep.key);
  }

  /** Stops the watches whose keys are not in `keep`. */
  prune(keep: ReadonlySet<string>): void {
    for (const [key, view] of this.#views) {
      if (keep.has(key)) continue;
      view.abort.abort();
      this.#views.delete(key);
    }
  }

  /** Keys watched now, and how many queries each has had answered. */
  stats(): Map<string, number> {
    return new Map([...this.#views].map(([k, v]) => [k, v.queries]));
  }

  stop(): void {
    this.prune(new Set());
  }

  async #run(view: View): Promise<void> {
    const { api, retry } = this.#options;
    const signal = view.abort.signal;
    let index = 0;
    let failures = 0;
    while (!signal.aborted) {
      try {
        const res = await view.dep.fetch(api, {
          ...(index > 0 ? { index, wait: this.#options.blockMs ?? 60_000 } : {}),
          ...(this.#options.stale ? { stale: true } : {}),
          signal,
        });
        if (signal.aborted) return;
        view.queries++;
        failures = 0;
        // A non-blocking answer has no index to compare: its value tells whether it changed.
        const sameIndex = view.dep.blocking && view.received && res.index === index;
        // An index that went backwards (a restored snapshot, a new cluster) starts over.
        index = res.index < index ? 0 : Math.max(res.index, 1);
        if (!sameIndex && (!view.received || !isDeepStrictEqual(view.value, res.value))) {
          view.value = res.value;
          view.received = true;
          this.#options.onChange(view.dep.key);
        }
        if (!view.dep.blocking) {
          if (!view.dep.pollMs) return;
          await abortableSleep(view.dep.pollMs, signal);
        }
      } catch (err) {
        if (signal.aborted) return;
        failures++;
        const fatal = retry.attempts > 0 && failures >= retry.attempts;
        this.#options.onError(view.dep.key, err instanceof Error ? err : new Error(String(err)), failures, fatal);
        if (fatal) return;
        const delay = Math.min(retry.backoffMs * 2 ** (failures - 1), retry.maxBackoffMs);
        await abortableSleep(delay, signal);
      }
    }
  }
}
