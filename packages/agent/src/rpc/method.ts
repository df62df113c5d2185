/**
 * The shape of a typed server RPC method (Consul's `KVS.Get`, `Catalog.Register`, ...): how its
 * arguments are checked when they arrive, where it runs, and what it does there.
 */
import type { QueryResult } from '@concord/state';
import type { ServerContext } from '../agent-context.js';
import type { Filter } from '../filter/bexpr.js';
import type { CallOptions } from './query-options.js';

/**
 * Where a call is answered. `read`: the leader, or any server when the options allow a stale
 * answer; `leader`: always the leader (writes, leadership changes); `server`: whichever server
 * the call reaches (status, its own view).
 */
export type Placement = 'read' | 'leader' | 'server';

/** The result-shaping options, compiled once per call. */
export interface Shaping {
  filter: Filter | undefined;
  nodeMeta: ((meta: Record<string, string>) => boolean) | undefined;
  /** The node results are sorted from by round trip (`?near`). */
  near: string | undefined;
}

/** What a method sees while it runs on a server. */
export interface MethodEnv {
  readonly agent: ServerContext;
  readonly options: CallOptions;
  readonly shape: Shaping;
  readonly signal: AbortSignal;
}

/**
 * Where a call must be answered when it is not the datacenter it names (ACL writes made in a
 * secondary go to the primary); undefined keeps it where it is. Asked on servers only.
 */
export interface Homed<A> {
  home?(args: A, agent: ServerContext): string | undefined;
}

/** A read of the replicated state, re-run while a blocking query waits for its index to move. */
export interface QueryMethod<A, R> extends Homed<A> {
  readonly kind: 'query';
  decode(raw: unknown): A;
  run(env: MethodEnv, args: A): QueryResult<R>;
}

/** Anything else: a write through raft, a cluster operation. */
export interface CallMethod<A, R> extends Homed<A> {
  readonly kind: 'call';
  readonly placement: Placement;
  decode(raw: unknown): A;
  run(env: MethodEnv, args: A): Promise<CallResult<R>>;
}

export interface CallResult<R> {
  value: R;
  /** The raft index the result reflects (a write's index); the state's index when absent. */
  index?: number;
}

export type Method<A, R> = QueryMethod<A, R> | CallMethod<A, R>;

export function queryMethod<A, R>(decode: (raw: unknown) => A, run: (env: MethodEnv, args: A) => QueryResult<R>, home?: Homed<A>['home']): QueryMethod<A, R> {
  return { kind: 'query', decode, run, ...(home ? { home } : {}) };
}

export function callMethod<A, R>(placement: Placement, decode: (raw: unknown) => A, run: (env: MethodEnv, args: A) => Promise<CallResult<R>>): CallMethod<A, R> {
  return { kind: 'call', placement, decode, run };
}
