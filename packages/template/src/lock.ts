/**
 * Consul's distributed lock (`<prefix>/.lock` acquired by a session) and
 * semaphore (contender keys `<prefix>/<session>` plus a `<prefix>/.lock`
 * holding `{"Limit":N,"Holders":{...}}` updated by check-and-set), on the KV
 * layout and flags Consul's Go client uses, so Concord, Consul and their
 * clients see the same locks. Used by `concord lock`.
 */
import { abortableSleep, ApiError, type ConsulApi, type KVPair } from '@concord/api';

/** Consul's api.LockFlagValue and api.SemaphoreFlagValue. */
export const LOCK_FLAG = 0x2ddccbc058a50c18n;
export const SEMAPHORE_FLAG = 0xe0f69a2baa414de0n;
/** The flags as they read back through a JSON number (doubles: equal for equal uint64s here). */
const flagsEqual = (pair: KVPair, flag: bigint): boolean => pair.Flags === Number(flag);

const SESSION_TTL = '15s';
const RENEW_MS = 7_500;
const WAIT_MS = 15_000;
const LOCK_RETRY_MS = 5_000;

export class LockError extends Error {
  readonly code = 'LOCK';
}

export interface LockOptions {
  readonly api: ConsulApi;
  readonly prefix: string;
  /** 1 for a lock, more for a semaphore. */
  readonly limit: number;
  readonly sessionName: string;
  /** Retries of a monitoring query that failed with a 5xx before the lock counts as lost. */
  readonly monitorRetries: number;
}

export interface HeldLock {
  /** Resolves when the lock is lost (session invalidated, key taken away). */
  readonly lost: Promise<void>;
  readonly session: string;
  release(): Promise<void>;
}

const trimSlashes = (p: string): string => p.replace(/^\/+|\/+$/g, '');

/** Acquires the lock or a semaphore slot; resolves undefined when `signal` aborts first (timeout, shutdown). */
export async function acquire(options: LockOptions, signal: AbortSignal): Promise<HeldLock | undefined> {
  const { api } = options;
  const session = await api.session.create({ Name: options.sessionName, TTL: SESSION_TTL, Behavior: options.limit > 1 ? 'delete' : 'release' });
  const renewer = new AbortController();
  let lostResolve: () => void = () => undefined;
  const lost = new Promise<void>((resolve) => {
    lostResolve = resolve;
  });
  void (async () => {
    while (!renewer.signal.aborted) {
      await abortableSleep(RENEW_MS, renewer.signal);
      if (renewer.signal.aborted) return;
      try {
        if ((await api.session.renew(session)) === undefined) {
          lostResolve();
          return;
        }
      } catch {
        // transient: the next renewal (well within the TTL) tries again
      }
    }
  })();
  const destroySession = async (): Promise<void> => {
    renewer.abort();
    await api.session.destroy(session).catch(() => false);
  };
  const impl = options.limit > 1 ? semaphore(options, session) : mutex(options, session);
  let held: boolean;
  try {
    held = await impl.acquire(signal);
  } catch (err) {
    await destroySession();
    throw err;
  }
  if (!held) {
    await impl.release().catch(() => undefined);
    await destroySession();
    return undefined;
  }
  const monitor = new AbortController();
  void impl.monitor(monitor.signal, options.monitorRetries).then(() => {
    if (!monitor.signal.aborted) lostResolve();
  });
  return {
    lost,
    session,
    async release() {
      monitor.abort();
      try {
        await impl.release();
      } finally {
        await destroySession();
      }
    },
  };
}

interface Impl {
  acquire(signal: AbortSignal): Promise<boolean>;
  /** Resolves when the lock is no longer held (or `signal` aborts). */
  monitor(signal: AbortSignal, retries: number): Promise<void>;
  release(): Promise<void>;
}

/** Runs blocking reads until `check` says stop; 5xx answers are retried `retries` times. */
async function watchUntil<T>(read: (index: number) => Promise<{ value: T; index: number }>, check: (value: T) => boolean, signal: AbortSignal, retries: number): Promise<void> {
  let index = 0;
  let failures = 0;
  while (!signal.aborted) {
    try {
      const r = await read(index);
      failures = 0;
      if (!check(r.value)) return;
      index = r.index < index ? 0 : r.index;
    } catch (err) {
      if (signal.aborted) return;
      if (!(err instanceof ApiError && err.status >= 500) || ++failures > retries) return;
      await abortableSleep(1000, signal);
    }
  }
}

function mutex(options: LockOptions, session: string): Impl {
  const { api } = options;
  const key = `${trimSlashes(options.prefix)}/.lock`;
  const get = (index: number, signal?: AbortSignal) => api.kv.get(key, { ...(index > 0 ? { index, wait: WAIT_MS } : {}), ...(signal ? { signal } : {}) });
  return {
    async acquire(signal) {
      let index = 0;
      while (!signal.aborted) {
        const { value: pair, meta } = await get(index, signal).catch((err: unknown) => {
          if (signal.aborted) return { value: undefined, meta: { index: 0 } };
          throw err;
        });
        if (signal.aborted) return false;
        if (pair && !flagsEqual(pair, LOCK_FLAG)) throw new LockError('Existing key does not match lock use');
        if (pair?.Session === session) return true;
        if (pair?.Session) {
          index = meta.index;
          continue;
        }
        if (await api.kv.put(key, '', { acquire: session, flags: LOCK_FLAG })) return true;
        const again = await get(0);
        if (again.value?.Session) index = again.meta.index;
        else await abortableSleep(LOCK_RETRY_MS, signal); // a lock-delay is in force
      }
      return false;
    },
    monitor(signal, retries) {
      return watchUntil(
        async (index) => {
          const r = await get(index, signal);
          return { value: r.value, index: r.meta.index };
        },
        (pair) => pair?.Session === session,
        signal,
        retries,
      );
    },
    async release() {
      await api.kv.put(key, '', { release: session, flags: LOCK_FLAG });
      // Destroy: remove the key unless someone else holds it now.
      const { value: pair } = await get(0);
      if (pair && !pair.Session && flagsEqual(pair, LOCK_FLAG)) await api.kv.delete(key, { cas: pair.ModifyIndex });
    },
  };
}

interface SemaphoreLock {
  Limit: number;
  Holders: Record<string, boolean>;
}

function semaphore(options: LockOptions, session: string): Impl {
  const { api, limit } = options;
  const prefix = trimSlashes(options.prefix);
  const lockKey = `${prefix}/.lock`;
  const contender = `${prefix}/${session}`;
  const list = (index: number, signal?: AbortSignal) => api.kv.list(`${prefix}/`, { ...(index > 0 ? { index, wait: WAIT_MS } : {}), ...(signal ? { signal } : {}) });
  const decode = (pairs: readonly KVPair[]): { pair: KVPair | undefined; lock: SemaphoreLock } => {
    const pair = pairs.find((p) => p.Key === lockKey);
    if (pair && !flagsEqual(pair, SEMAPHORE_FLAG)) throw new LockError('Existing key does not match semaphore use');
    let lock: SemaphoreLock = { Limit: limit, Holders: {} };
    if (pair?.Value) {
      try {
        lock = JSON.parse(pair.Value.toString('utf8')) as SemaphoreLock;
      } catch (err) {
        throw new LockError(`Failed to read lock: ${(err as Error).message}`);
      }
    }
    lock.Holders ??= {};
    // Holders whose contender key is gone (session ended) no longer count.
    const alive = new Set(pairs.filter((p) => p.Session).map((p) => p.Session as string));
    for (const h of Object.keys(lock.Holders)) if (!alive.has(h)) delete lock.Holders[h];
    return { pair, lock };
  };
  const encode = (lock: SemaphoreLock): string =>
    JSON.stringify({
      Limit: lock.Limit,
      Holders: Object.fromEntries(
        Object.keys(lock.Holders)
          .sort()
          .map((k) => [k, true]),
      ),
    });
  return {
    async acquire(signal) {
      if (!(await api.kv.put(contender, '', { acquire: session, flags: SEMAPHORE_FLAG }))) throw new LockError('failed to make contender entry');
      let index = 0;
      while (!signal.aborted) {
        let r;
        try {
          r = await list(index, signal);
        } catch (err) {
          if (signal.aborted) return false;
          throw err;
        }
        const { pair, lock } = decode(r.value);
        if (lock.Limit !== limit) throw new LockError(`semaphore limit conflict (lock: ${lock.Limit}, local: ${limit})`);
        if (Object.keys(lock.Holders).length >= lock.Limit) {
          index = r.meta.index;
          continue;
        }
        lock.Holders[session] = true;
        if (await api.kv.put(lockKey, encode(lock), { cas: pair?.ModifyIndex ?? 0, flags: SEMAPHORE_FLAG })) return true;
        index = 0;
      }
      return false;
    },
    monitor(signal, retries) {
      return watchUntil(
        async (index) => {
          const r = await list(index, signal);
          return { value: r.value, index: r.meta.index };
        },
        (pairs) => decode(pairs).lock.Holders[session] === true,
        signal,
        retries,
      );
    },
    async release() {
      for (let attempt = 0; attempt < 32; attempt++) {
        const { pair, lock } = decode((await list(0)).value);
        if (!pair || !lock.Holders[session]) break;
        delete lock.Holders[session];
        if (await api.kv.put(lockKey, encode(lock), { cas: pair.ModifyIndex, flags: SEMAPHORE_FLAG })) break;
      }
      await api.kv.delete(contender);
      // Destroy: remove the lock key when nobody holds a slot any more.
      const { pair, lock } = decode((await list(0)).value);
      if (pair && Object.keys(lock.Holders).length === 0) await api.kv.delete(lockKey, { cas: pair.ModifyIndex });
    },
  };
}
