/**
 * The client role: no state of its own. Requests about the replicated state and the agent's own
 * catalog writes go to a server picked from gossip; a server that fails is rotated out.
 */
import * as grpc from '@grpc/grpc-js';
import type { AutopilotConfigEntry } from '@concord/state';
import type { Logger } from 'pino';
import type { Telemetry } from '../telemetry/telemetry.js';
import type { MemberInfo } from '../agent-context.js';
import type { AgentConfig } from '../config/config.js';
import { noLeader, noServers, operationFailed, serverOnly } from '../errors/agent-error.js';
import { type AutopilotHealth, type Cluster, type DroppedInputs, gossipDropped, type KeyringCounts, type RaftServerView } from './cluster.js';
import type { KeyringStore } from './keyring-store.js';
import type { Membership, ServerMember } from './membership.js';
import { RpcClients, type RpcDialer, RpcError, rpcMessageLimit, safeToResend } from './rpc.js';
import { type CallReply__Output, RpcStatusError } from '../rpc/transport.js';

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

/**
 * True when the server could not be reached, or refused the call before acting on it (a server
 * that is shutting down or not ready answers UNAVAILABLE): another server may take it.
 */
function unreachable(err: unknown): boolean {
  if (err instanceof RpcStatusError) return err.grpcCode === grpc.status.UNAVAILABLE;
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
    throw serverOnly('keyring operations are served by servers');
  }

  /** Sends an RPC to a server, moving to another server while none answers. */
  async #call<T>(fn: (addr: string) => Promise<T>, idempotent: boolean): Promise<T> {
    const deadline = Date.now() + (this.#o.serverWaitMs ?? 7000);
    let lastErr: unknown;
    for (;;) {
      // Consul's client answers at once when it knows no server at all (started alone, not
      // joined); while a -retry-join is still trying, the request waits for it as for a server.
      if (this.#o.membership.servers().length === 0 && !this.#o.joining?.()) throw noServers();
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
        if (!addr) throw noServers();
        throw lastErr instanceof RpcError ? operationFailed(lastErr.message) : (lastErr ?? noServers());
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /**
   * Sends a typed call to a server, moving to another while none answers; a call a server may
   * have acted on is not sent again unless it only reads.
   */
  async callServer(send: (address: string) => Promise<CallReply__Output>, idempotent: boolean): Promise<CallReply__Output> {
    try {
      return await this.#call(send, idempotent);
    } catch (err) {
      if (err instanceof RpcError) throw safeToResend(err) ? noLeader() : operationFailed(`rpc error: ${err.message}`);
      throw err;
    }
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
    throw serverOnly('raft peers are managed by servers');
  }

  async autopilotHealth(): Promise<AutopilotHealth> {
    throw serverOnly('autopilot health is served by servers');
  }

  autopilotConfig(): AutopilotConfigEntry {
    throw serverOnly('autopilot configuration is served by servers');
  }

  async setAutopilotConfig(): Promise<boolean> {
    throw serverOnly('autopilot configuration is served by servers');
  }

  async transferLeader(): Promise<void> {
    throw serverOnly('raft leadership is transferred by servers');
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
