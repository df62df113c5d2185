/**
 * The client role: no state of its own. Requests about the replicated state and the agent's own
 * catalog writes go to a server picked from gossip; a server that fails is rotated out.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { type AutopilotConfigEntry, type Command, encodeCommand } from '@concord/state';
import type { Logger } from 'pino';
import type { Telemetry } from '../telemetry/telemetry.js';
import type { MemberInfo } from '../agent-context.js';
import type { AgentConfig } from '../config/config.js';
import { bodyLimitFor } from '../http/body-limits.js';
import { HttpError, fromStateError } from '../http/http-error.js';
import type { WriteResult } from '../server/state-server.js';
import { type AutopilotHealth, type Cluster, type DroppedInputs, gossipDropped, type KeyringCounts, type RaftServerView } from './cluster.js';
import type { KeyringStore } from './keyring-store.js';
import { forwardTarget, forwardTimeoutMs, sendForwardError, toRpcRequest, writeRpcResponse } from './http-forward.js';
import type { Membership, ServerMember } from './membership.js';
import { RpcClients, type RpcDialer, RpcError, rpcMessageLimit, safeToResend, type HttpRequest__Output, type HttpResponse__Output } from './rpc.js';
import { decodeApplyResult } from './apply-result-codec.js';
import { NO_LEADER } from './rpc.js';

export const NO_SERVERS = 'No known Consul servers';
const KEYRING_FOLLOW_MS = 1000;

/** Keeps one preferred server and moves to another when it fails. */
export class ServerPicker {
  #current: string | undefined;
  readonly #servers: () => ServerMember[];

  constructor(servers: () => ServerMember[]) {
    this.#servers = servers;
  }

  pick(): string | undefined {
    const alive = this.#servers().filter((s) => s.status === 'alive');
    if (this.#current && alive.some((s) => s.rpcAddr === this.#current)) return this.#current;
    const next = alive[Math.floor(Math.random() * alive.length)];
    this.#current = next?.rpcAddr;
    return this.#current;
  }

  /** Marks `addr` as failed: the next pick prefers any other alive server. */
  failed(addr: string): void {
    if (this.#current !== addr) return;
    const others = this.#servers().filter((s) => s.status === 'alive' && s.rpcAddr !== addr);
    this.#current = others[Math.floor(Math.random() * others.length)]?.rpcAddr ?? addr;
  }
}

function unreachable(err: unknown): boolean {
  return err instanceof RpcError && (err.grpcCode === grpc.status.UNAVAILABLE || err.grpcCode === grpc.status.DEADLINE_EXCEEDED);
}

export interface ClientClusterOptions {
  config: AgentConfig;
  membership: Membership;
  keyring: KeyringStore;
  logger: Logger;
  /** How long a request waits for a reachable server. */
  serverWaitMs?: number;
  /** How to dial the servers' RPC port (plaintext by default). */
  dial?: RpcDialer;
  /** True while a background `-retry-join` has not succeeded or given up yet. */
  joining?: () => boolean;
  telemetry?: Telemetry;
}

export class ClientCluster implements Cluster {
  readonly isServer = false;
  readonly #o: ClientClusterOptions;
  readonly #rpc: RpcClients;
  readonly #picker: ServerPicker;

  #keyringTimer: NodeJS.Timeout | undefined;

  constructor(o: ClientClusterOptions) {
    this.#o = o;
    this.#picker = new ServerPicker(() => o.membership.servers());
    this.#rpc = new RpcClients(o.dial, rpcMessageLimit(o.config.bounds.snapshotRestoreMaxBytes));
    if (o.keyring.keyring) {
      // Clients follow the servers' keyring, so `concord keyring` rotations reach them too.
      this.#keyringTimer = setInterval(() => void this.#followKeyring(), KEYRING_FOLLOW_MS);
      this.#keyringTimer.unref();
    }
  }

  /**
   * Reads the keyring of a server, trying servers that gossip shows as failed too: after a key
   * rotation this agent may not decrypt their gossip until it has followed.
   */
  async #followKeyring(): Promise<void> {
    const picked = this.#picker.pick();
    const addrs = [...new Set([...(picked ? [picked] : []), ...this.#o.membership.servers().map((s) => s.rpcAddr)])];
    for (const addr of addrs) {
      try {
        this.#o.keyring.follow(await this.#rpc.keyring(addr, 'list', '', 2000));
        return;
      } catch (err) {
        this.#o.logger.debug({ err: String(err), server: addr }, 'keyring: could not read a server keyring');
      }
    }
  }

  async keyring(): Promise<KeyringCounts> {
    throw new HttpError(500, 'keyring operations are served by servers');
  }

  /** Sends an RPC to a server, moving to another server while none answers. */
  async #call<T>(fn: (addr: string) => Promise<T>, idempotent: boolean): Promise<T> {
    const deadline = Date.now() + (this.#o.serverWaitMs ?? 7000);
    let lastErr: unknown;
    for (;;) {
      // Consul's client answers at once when it knows no server at all (started alone, not
      // joined); while a -retry-join is still trying, the request waits for it as for a server.
      if (this.#o.membership.servers().length === 0 && !this.#o.joining?.()) throw new HttpError(500, NO_SERVERS);
      const addr = this.#picker.pick();
      if (addr) {
        try {
          this.#o.telemetry?.incrCounter(['client', 'rpc']);
          return await fn(addr);
        } catch (err) {
          lastErr = err;
          if (!unreachable(err)) throw err;
          this.#picker.failed(addr);
          // A write that may have reached a server is not sent again: it could apply twice.
          if (!idempotent && !safeToResend(err)) throw err;
        }
      }
      if (Date.now() >= deadline) {
        if (!addr) throw new HttpError(500, NO_SERVERS);
        throw lastErr instanceof RpcError ? new HttpError(500, lastErr.message) : (lastErr ?? new HttpError(500, NO_SERVERS));
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  routeHttp(req: IncomingMessage, res: ServerResponse): boolean {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const query = new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
    if (forwardTarget({ server: false, leader: false }, req.method ?? 'GET', path, query) === 'local') return false;
    void this.#forward(req, res, query);
    return true;
  }

  async #forward(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
    const ac = new AbortController();
    res.once('close', () => ac.abort());
    try {
      const rpcReq = await toRpcRequest(req, 1, bodyLimitFor(req.url ?? '/', this.#o.config), this.#o.config.nodeName);
      const idempotent = rpcReq.method === 'GET' || rpcReq.method === 'HEAD';
      const timeout = forwardTimeoutMs(query, this.#o.config.maxQueryTimeMs, this.#o.config.defaultQueryTimeMs);
      writeRpcResponse(res, await this.#call((addr) => this.#rpc.forward(addr, rpcReq, timeout, ac.signal), idempotent));
    } catch (err) {
      if (err instanceof HttpError) sendForwardError(res, err.status, err.message);
      else sendForwardError(res, 500, err instanceof Error ? err.message : String(err));
    }
  }

  /** A GET answered by a server, for the agent's own reads (anti-entropy, DNS). */
  async get(path: string, timeoutMs = 30_000, signal?: AbortSignal, headers: Record<string, string> = {}): Promise<HttpResponse__Output> {
    const req: HttpRequest__Output = { method: 'GET', path, headers, body: Buffer.alloc(0), hops: 1 };
    return this.#call((addr) => this.#rpc.forward(addr, req, timeoutMs, signal), true);
  }

  async write(command: Command): Promise<WriteResult> {
    let r: { index: number; result: Buffer };
    try {
      r = await this.#call((addr) => this.#rpc.apply(addr, encodeCommand(command), 0, 30_000), false);
    } catch (err) {
      if (err instanceof RpcError) throw new HttpError(500, safeToResend(err) ? NO_LEADER : `rpc error: ${err.message}`);
      throw err;
    }
    const result = decodeApplyResult(r.result);
    if (result.error) throw fromStateError(result.error);
    return { index: r.index, result };
  }

  members(): MemberInfo[] {
    return this.#o.membership.members();
  }

  leaderAddress(): string {
    return '';
  }

  knownLeader(): boolean {
    return this.#o.membership.aliveServers().length > 0;
  }

  lastContactMs(): number {
    return 0;
  }

  async consistentBarrier(): Promise<void> {}

  peers(): string[] {
    return [];
  }

  raftConfiguration(): { Servers: RaftServerView[]; Index: number } {
    return { Servers: [], Index: 0 };
  }

  async removePeer(): Promise<void> {
    throw new HttpError(500, 'raft peers are managed by servers');
  }

  async autopilotHealth(): Promise<AutopilotHealth> {
    throw new HttpError(500, 'autopilot health is served by servers');
  }

  autopilotConfig(): AutopilotConfigEntry {
    throw new HttpError(500, 'autopilot configuration is served by servers');
  }

  async setAutopilotConfig(): Promise<boolean> {
    throw new HttpError(500, 'autopilot configuration is served by servers');
  }

  async transferLeader(): Promise<void> {
    throw new HttpError(500, 'raft leadership is transferred by servers');
  }

  join(addrs: readonly string[]): Promise<number> {
    return this.#o.membership.join(addrs);
  }

  forceLeave(node: string, prune: boolean): boolean {
    return this.#o.membership.forceLeave(node, prune);
  }

  stats(): { raft: Record<string, string>; serf_lan: Record<string, string>; leader: boolean; leaderAddr: string } {
    return {
      leader: false,
      leaderAddr: '',
      raft: {},
      serf_lan: this.#o.membership.serfStats(),
    };
  }

  droppedInputs(): DroppedInputs {
    return { raftNonMemberMessages: 0, ...gossipDropped(this.#o.membership.gossip.stats) };
  }

  async leave(): Promise<void> {
    await this.#o.membership.leave();
  }

  async close(): Promise<void> {
    if (this.#keyringTimer) clearInterval(this.#keyringTimer);
    this.#rpc.close();
  }
}
