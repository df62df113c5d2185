import { useEffect, useState } from 'preact/hooks';
import { ApiError, getJson } from './api.js';

export interface Live<T> {
  data: T | undefined;
  error: ApiError | undefined;
  /** True until the first answer (or error). */
  loading: boolean;
}

/** How long one blocking query waits on the agent before it answers unchanged. */
const WAIT = '60s';
/** Endpoints that do not block are polled this often. */
const POLL_MS = 3000;
const MIN_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 30_000;
/**
 * Least time between two requests for the same data, so a registry that changes all the time
 * costs the agent at most two answers a second per view dependency (the first change after a
 * quiet spell still shows at once).
 */
const MIN_GAP_MS = 500;

/**
 * A page kept in the back/forward cache would keep its long-polls open and use up the browser's
 * few connections to the agent: they are dropped when the page is hidden and started again when
 * it is shown from that cache.
 */
const lifecycle = new Set<(visible: boolean) => void>();
addEventListener('pagehide', () => {
  for (const fn of lifecycle) fn(false);
});
addEventListener('pageshow', (e) => {
  if (e.persisted) for (const fn of lifecycle) fn(true);
});

function usePageGeneration(): number {
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const fn = (visible: boolean): void => {
      if (visible) setGeneration((g) => g + 1);
    };
    lifecycle.add(fn);
    return () => void lifecycle.delete(fn);
  }, []);
  return generation;
}

/** An AbortController also aborted when the page is hidden. */
function pageController(): { ac: AbortController; release: () => void } {
  const ac = new AbortController();
  const fn = (visible: boolean): void => {
    if (!visible) ac.abort();
  };
  lifecycle.add(fn);
  return { ac, release: () => void lifecycle.delete(fn) };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Follows one API read: a blocking query (`?index=N&wait=60s`) re-issued as soon as it answers
 * (but not twice within 500 ms), so a change shows within the agent's wake-up time; polling every 3 s where the endpoint does
 * not block; exponential backoff (1 s to 30 s) while the agent fails or cannot be reached.
 * `path` undefined follows nothing.
 */
export function useLive<T>(path: string | undefined, missing?: T): Live<T> {
  const [state, setState] = useState<Live<T>>({ data: undefined, error: undefined, loading: path !== undefined });
  const generation = usePageGeneration();
  useEffect(() => {
    setState((s) => ({ data: generation > 0 ? s.data : undefined, error: undefined, loading: path !== undefined }));
    if (path === undefined) return;
    const { ac, release } = pageController();
    const signal = ac.signal;
    void (async () => {
      let index: number | undefined;
      let backoff = 0;
      while (!signal.aborted) {
        const started = Date.now();
        try {
          const sep = path.includes('?') ? '&' : '?';
          const url = index !== undefined && index > 0 ? `${path}${sep}index=${index}&wait=${WAIT}` : path;
          const got = await getJson<T>(url, signal, missing);
          if (signal.aborted) return;
          backoff = 0;
          setState({ data: got.data, error: undefined, loading: false });
          if (got.index === undefined) {
            index = undefined;
            await sleep(POLL_MS, signal);
            continue;
          }
          // An index that went backwards (a restored snapshot) restarts with one plain read; an
          // index of 0 is read as 1, so that the next request still blocks.
          index = index !== undefined && index > 0 && got.index < index ? 0 : Math.max(1, got.index);
        } catch (err) {
          if (signal.aborted) return;
          const error = err instanceof ApiError ? err : new ApiError(0, String(err));
          setState((s) => ({ data: s.data, error, loading: false }));
          backoff = Math.min(MAX_BACKOFF_MS, Math.max(MIN_BACKOFF_MS, backoff * 2));
          await sleep(backoff, signal);
          continue;
        }
        const elapsed = Date.now() - started;
        if (elapsed < MIN_GAP_MS) await sleep(MIN_GAP_MS - elapsed, signal);
      }
    })();
    return () => {
      ac.abort();
      release();
    };
  }, [path, generation]);
  return state;
}

/** One read made once per path (the agent's own facts that do not change while it runs). */
export function useOnce<T>(path: string): Live<T> {
  const [state, setState] = useState<Live<T>>({ data: undefined, error: undefined, loading: true });
  useEffect(() => {
    const ac = new AbortController();
    getJson<T>(path, ac.signal).then(
      (got) => setState({ data: got.data, error: undefined, loading: false }),
      (err: unknown) => {
        if (!ac.signal.aborted) setState({ data: undefined, error: err instanceof ApiError ? err : new ApiError(0, String(err)), loading: false });
      },
    );
    return () => ac.abort();
  }, [path]);
  return state;
}
