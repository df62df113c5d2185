/**
 * Where a typed call is answered, and the running of it there (Consul's `forward` and
 * `blockingQuery` in agent/consul/rpc.go). Every agent has one: the HTTP API, DNS, caches and
 * the agent's own work call methods through it, and a server hands it the calls that arrive on
 * its RPC port. A call for another datacenter goes to a server there; a client agent sends every
 * call to a server; a server answers a call itself when the method's placement and the call's
 * consistency allow it, and otherwise sends it to the leader.
 */
import type { Command } from '@concord/state';
import type { ServerContext } from '../agent-context.js';
import { compiledFilter } from './filter-cache.js';
import type { CallReply__Output } from '../gen/concord/agent/v1/CallReply.js';
import type { CallRequest__Output } from '../gen/concord/agent/v1/CallRequest.js';
import { invalidRequest, noLeader, noPathToDatacenter, noServers, operationFailed } from '../errors/agent-error.js';
import { blockingRun } from './blocking.js';
import type { Method, MethodEnv, Shaping } from './method.js';
import { type ArgsOf, METHODS, type MethodName, type ResultOf } from './methods/index.js';
import { type CallMeta, type CallOptions, metaFromWire, metaToWire, optionsFromWire, optionsToWire, ownCallOptions } from './query-options.js';
import { RpcStatusError } from './transport.js';
import { checkCall, filterResult } from '../acl/rpc-enforcement.js';

/** A call passes through at most this many servers. */
export const MAX_HOPS = 3;

type KvCommand = Extract<Command, { type: 'kv' }>;
export { NO_PATH_TO_DATACENTER } from '../errors/agent-error.js';

export interface CallAnswer<R> {
  value: R;
  meta: CallMeta;
}

/** Sends an encoded call to one server and waits for its reply. */
export type Send = (address: string) => Promise<CallReply__Output>;

/** How this agent reaches other servers and what it knows of its own role. */
export interface RpcRoutes {
  /** This agent's datacenter (lower case). */
  readonly datacenter: string;
  /** The node name, for calls that do not say where they came from. */
  readonly nodeName: string;
  readonly maxQueryTimeMs: number;
  /** Client agents: to one of this datacenter's servers, moving on when one is unreachable. */
  toServer?(send: Send, idempotent: boolean): Promise<CallReply__Output>;
  /** Servers: whether this server leads, and how to reach the leader (waiting for one). */
  isLeader?(): boolean;
  /** Resolves 'self' when this server became the leader while waiting for one. */
  toLeader?(send: Send, idempotent: boolean): Promise<CallReply__Output | 'self'>;
  /** Servers: to a server of datacenter `dc` (undefined when no other datacenter is known). */
  toDatacenter?(dc: string, send: Send, idempotent: boolean): Promise<CallReply__Output>;
  /** Sends a call to `address`. */
  call(
    address: string,
    name: MethodName,
    request: { options: ReturnType<typeof optionsToWire>; args: Buffer },
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<CallReply__Output>;
}

/** Calls that only read may be sent again to another server; writes only when they never left. */
function idempotent(method: Method<unknown, unknown>): boolean {
  return method.kind === 'query' || (method.kind === 'call' && method.placement !== 'leader');
}

/** How long a call may take on the wire: a blocking query's wait plus its jitter, else 30 s. */
function callTimeoutMs(o: CallOptions): number {
  if (o.minQueryIndex === 0) return 30_000;
  return o.maxQueryTimeMs + o.maxQueryTimeMs / 16 + 30_000;
}

function shapingOf(o: CallOptions): Shaping {
  const pairs = o.nodeMeta;
  return {
    filter: compiledFilter(o.filter),
    nodeMeta: pairs.length === 0 ? undefined : (meta) => pairs.every(([k, v]) => meta[k] === v),
    near: o.near === '' ? undefined : o.near,
  };
}

export class RpcRouter {
  readonly #routes: RpcRoutes;
  #local: ServerContext | undefined;
  #draining = false;

  constructor(routes: RpcRoutes) {
    this.#routes = routes;
  }

  /** Servers: the state the methods run against (set once the agent is assembled). */
  attachLocal(local: ServerContext): void {
    this.#local = local;
  }

  /** Calls arriving on the RPC port from now on are refused as "shutting down". */
  drain(): void {
    this.#draining = true;
  }

  async call<K extends MethodName>(name: K, args: ArgsOf<K>, given: CallOptions, signal?: AbortSignal): Promise<CallAnswer<ResultOf<K>>> {
    let options = given;
    const method = METHODS[name] as Method<ArgsOf<K>, ResultOf<K>>;
    const sig = signal ?? new AbortController().signal;
    const r = this.#routes;
    const local = this.#local;
    let dc = options.datacenter.toLowerCase();
    if (local && method.home && (dc === '' || dc === r.datacenter)) {
      const home = method.home(args, local);
      if (home && home !== r.datacenter) {
        dc = home;
        options = { ...options, datacenter: home };
      }
    }
    if (dc !== '' && dc !== r.datacenter) {
      if (!local) return this.#send(name, method, args, options, sig, (send, i) => this.#viaServer(send, i)) as Promise<CallAnswer<ResultOf<K>>>;
      if (!r.toDatacenter) throw noPathToDatacenter();
      return this.#send(name, method, args, options, sig, (send, i) => (r.toDatacenter as NonNullable<RpcRoutes['toDatacenter']>)(dc, send, i)) as Promise<CallAnswer<ResultOf<K>>>;
    }
    if (!local) return this.#send(name, method, args, options, sig, (send, i) => this.#viaServer(send, i)) as Promise<CallAnswer<ResultOf<K>>>;
    if (this.#answersHere(method, options, local)) return this.#run(local, name, method, args, options, sig);
    const answer = await this.#send(name, method, args, options, sig, (send, i) => {
      if (!r.toLeader) throw noLeader();
      return r.toLeader(send, i);
    });
    return answer === 'self' ? this.#run(local, name, method, args, options, sig) : answer;
  }

  #viaServer(send: Send, idempotent: boolean): Promise<CallReply__Output> {
    if (!this.#routes.toServer) throw noServers();
    return this.#routes.toServer(send, idempotent);
  }

  /** Answers a call that arrived on the RPC port. */
  async serve(name: MethodName, request: CallRequest__Output, signal: AbortSignal): Promise<CallReply__Output> {
    if (this.#draining) throw new RpcStatusError('server is shutting down', 14 /* UNAVAILABLE */);
    if (!this.#local) throw new RpcStatusError('HTTP API not ready', 14);
    const options = optionsFromWireChecked(request, this.#routes.maxQueryTimeMs);
    let raw: unknown;
    try {
      raw = JSON.parse(request.args.toString('utf8'));
    } catch {
      throw invalidRequest('undecodable RPC arguments');
    }
    const method = METHODS[name] as Method<unknown, unknown>;
    const args = method.decode(raw);
    const answer = await this.call(name, args as ArgsOf<typeof name>, options, signal);
    return { meta: metaToWire(answer.meta), result: Buffer.from(JSON.stringify(answer.value ?? null)) };
  }

  /**
   * Answers a KV write a follower forwarded as a binary record (cluster/leader-channel.ts): the
   * `KVS.Apply` call it stands for, with the caller's token.
   */
  async serveKvApply(command: KvCommand, token: string, hops: number, signal: AbortSignal): Promise<{ value: unknown; index: number }> {
    if (this.#draining) throw new RpcStatusError('server is shutting down', 14 /* UNAVAILABLE */);
    if (!this.#local) throw new RpcStatusError('HTTP API not ready', 14);
    const answer = await this.call('KVS.Apply', { command }, ownCallOptions('', { token, hops }), signal);
    return { value: answer.value, index: answer.meta.index };
  }

  #answersHere(method: Method<unknown, unknown>, o: CallOptions, local: ServerContext): boolean {
    const placement = method.kind === 'query' ? 'read' : method.placement;
    if (placement === 'server') return true;
    if (this.#routes.isLeader?.()) return true;
    if (placement === 'leader' || o.consistency !== 'stale') return false;
    return o.maxStaleMs === undefined || local.cluster.lastContactMs() <= o.maxStaleMs;
  }

  async #send<R>(
    name: MethodName,
    method: Method<unknown, R>,
    args: unknown,
    options: CallOptions,
    signal: AbortSignal,
    route: (send: Send, idempotent: boolean) => Promise<CallReply__Output | 'self'>,
  ): Promise<CallAnswer<R> | 'self'> {
    if (options.hops >= MAX_HOPS) throw operationFailed(`RPC call ${name} passed through too many servers`);
    const request = {
      options: optionsToWire({ ...options, hops: options.hops + 1, originNode: options.originNode || this.#routes.nodeName }),
      args: Buffer.from(JSON.stringify(args)),
    };
    const timeout = callTimeoutMs(options);
    const reply = await route((address) => this.#routes.call(address, name, request, timeout, signal), idempotent(method as Method<unknown, unknown>));
    if (reply === 'self') return reply;
    return { value: JSON.parse(reply.result.toString('utf8')) as R, meta: metaFromWire(reply.meta) };
  }

  async #run<A, R>(local: ServerContext, name: MethodName, method: Method<A, R>, args: A, options: CallOptions, signal: AbortSignal): Promise<CallAnswer<R>> {
    const env: MethodEnv = { agent: local, options, shape: shapingOf(options), signal };
    const cluster = local.cluster;
    // ACLs are enforced here, on the server that runs the method (Consul's model).
    const authz = local.acl.enabled ? (options.authorizer ?? (await local.acl.resolveToken(options.token || undefined))) : undefined;
    let filteredByAcls = false;
    const meta = (index: number): CallMeta => ({
      index,
      knownLeader: cluster.knownLeader(),
      lastContactMs: options.consistency === 'stale' ? cluster.lastContactMs() : 0,
      consistency: options.consistency,
      // As Consul: only a call with a token learns that something was left out.
      filteredByAcls: filteredByAcls && options.token !== '',
    });
    const visible = <T>(value: T): T => {
      if (!authz) return value;
      const f = filterResult(name, value, authz);
      if (f.filtered) filteredByAcls = true;
      return f.value as T;
    };
    if (authz) {
      const refused = checkCall(name, args as Record<string, unknown>, authz, local.server.state, local.config.acl.enableKeyListPolicy);
      if (refused) return { value: refused as R, meta: meta(local.server.state.lastIndex) };
    }
    if (method.kind === 'query') {
      if (options.consistency === 'consistent') await cluster.consistentBarrier();
      const r = await blockingRun(local.query, options.minQueryIndex, options.maxQueryTimeMs, signal, () => {
        filteredByAcls = false;
        const q = method.run(env, args);
        return { ...q, value: visible(q.value) };
      });
      return { value: r.value, meta: meta(r.index) };
    }
    const r = await method.run(env, args);
    return { value: visible(r.value), meta: meta(r.index ?? local.server.state.lastIndex) };
  }
}

function optionsFromWireChecked(request: CallRequest__Output, maxQueryTimeMs: number): CallOptions {
  try {
    return optionsFromWire(request.options, { maxQueryTimeMs });
  } catch (err) {
    throw invalidRequest((err as Error).message);
  }
}

export { metaFromWire };
