/**
 * The agent's RPC services (proto/agent.proto) on the server port: the typed methods (see
 * ../rpc/), server status and keyring. Raft shares the same gRPC server.
 */
import type { Socket } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { NO_LEADER } from '../errors/agent-error.js';
import { agentDescriptor } from '../gen/agent-descriptor.js';
import { RpcListener, type RpcListenerEvents, type RpcListenerTls } from './rpc-listener.js';
import type { ProtoGrpcType } from '../gen/agent.js';
import type { AgentClient, AgentHandlers } from '../gen/concord/agent/v1/Agent.js';
import type { ServerStatus, ServerStatus__Output } from '../gen/concord/agent/v1/ServerStatus.js';
import { type CallHandler, type CallReply__Output, type CallRequest, RpcStatusError, addMethodServices, httpStatusOf, wireMethods } from '../rpc/transport.js';

export type { ServerStatus, ServerStatus__Output };

const LOADER_OPTIONS: protoLoader.Options = { longs: Number, enums: String, defaults: true, oneofs: true };

/**
 * The cap on one RPC message each way (agent RPC and raft share the server): a call carries at
 * most a snapshot restore, a raft append at least one whole entry (a restore is one entry), and a
 * reply at most a saved snapshot.
 */
export function rpcMessageLimit(snapshotRestoreMaxBytes: number): number {
  return Math.max(64 * 1024 * 1024, snapshotRestoreMaxBytes + 8 * 1024 * 1024);
}

/** The cap with the default snapshot limit (128 MiB). */
const DEFAULT_RPC_MESSAGE_BYTES = rpcMessageLimit(128 * 1024 * 1024);

/** A server connection without calls for this long is closed (clients reconnect on their next call). */
const IDLE_CONNECTION_MS = 5 * 60_000;

function rpcChannelOptions(maxMessageBytes: number): grpc.ChannelOptions {
  return { ...RPC_CHANNEL_OPTIONS, 'grpc.max_send_message_length': maxMessageBytes, 'grpc.max_receive_message_length': maxMessageBytes };
}

export const RPC_CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 2000,
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 5_000,
};

let cached: ProtoGrpcType | undefined;
function proto(): ProtoGrpcType {
  cached ??= grpc.loadPackageDefinition(protoLoader.fromJSON(agentDescriptor as unknown as Parameters<typeof protoLoader.fromJSON>[0], LOADER_OPTIONS)) as unknown as ProtoGrpcType;
  return cached;
}

/** An RPC failure with the status code the server chose (UNAVAILABLE for "no leader", ...). */
export class RpcError extends Error {
  readonly code = 'AGENT_RPC';
  constructor(
    message: string,
    readonly grpcCode: grpc.status,
  ) {
    super(message);
  }
}

let cachedWire: ReturnType<typeof wireMethods> | undefined;
function wire(): ReturnType<typeof wireMethods> {
  cachedWire ??= wireMethods(proto().concord.agent.v1 as unknown as Parameters<typeof wireMethods>[0]);
  return cachedWire;
}

/** The protobuf codec of typed method `name` (`CallRequest` in, `CallReply` out), as the gRPC call uses it. */
export function wireMethod(name: string): ReturnType<ReturnType<typeof wireMethods>['get']> {
  return wire().get(name);
}

/**
 * True when a call failed before it reached the server: no connection could be made, or the
 * channel closed first. Only then may a write be sent again without risk of applying it twice;
 * a call that failed later ("Connection dropped", a deadline) may have been applied.
 */
export function neverSent(err: unknown): boolean {
  return (
    (err instanceof RpcError || err instanceof RpcStatusError) &&
    err.grpcCode === grpc.status.UNAVAILABLE &&
    /^(?:\w+: )?(?:No connection established|Channel closed before call started)/.test(err.message)
  );
}

/** What a server answers when it has no leader to send a write to; it proposed nothing. */
export { NO_LEADER };
/** What a server answers to calls that arrive once it began shutting down. */
export const SHUTTING_DOWN = 'server is shutting down';
/** What a server answers before its HTTP API listens. */
export const NOT_READY = 'HTTP API not ready';

const UNHANDLED = new Set([NO_LEADER, SHUTTING_DOWN, NOT_READY]);

/**
 * True when a call may be sent again, to this server or another, without risk of applying it
 * twice: it never reached a server, or the server refused it before acting on it.
 */
export function safeToResend(err: unknown): boolean {
  return neverSent(err) || ((err instanceof RpcError || err instanceof RpcStatusError) && err.grpcCode === grpc.status.UNAVAILABLE && UNHANDLED.has(err.message));
}

export interface KeyringReply {
  keys: string[];
  primary: string;
}

/** What a server answers on its RPC port. */
export interface RpcHandlers {
  call: CallHandler;
  status(): ServerStatus;
  keyring(op: string, key: string): KeyringReply;
}

function toServiceError(err: unknown): Partial<grpc.ServiceError> {
  if (err instanceof RpcError) return { code: err.grpcCode, details: err.message, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { code: grpc.status.UNKNOWN, details: message, message };
}

/** Registers the Agent service on `server` (which the caller binds and shuts down). */
export function addAgentService(server: grpc.Server, handlers: RpcHandlers): void {
  const impl: AgentHandlers = {
    Status: (_call, callback) => {
      try {
        callback(null, handlers.status());
      } catch (err) {
        callback(toServiceError(err));
      }
    },
    Keyring: (call, callback) => {
      try {
        callback(null, handlers.keyring(call.request.op, call.request.key));
      } catch (err) {
        callback(toServiceError(err));
      }
    },
  };
  server.addService(proto().concord.agent.v1.Agent.service, impl);
  addMethodServices(server, proto().concord.agent.v1 as unknown as Parameters<typeof addMethodServices>[1], handlers.call);
}

function fromServiceError(err: grpc.ServiceError): RpcError {
  return new RpcError(err.details || err.message, err.code);
}

/** How to dial a server: credentials (plaintext or TLS) and extra channel options. */
export type RpcDialer = () => { credentials: grpc.ChannelCredentials; options?: grpc.ChannelOptions };

const PLAINTEXT: RpcDialer = () => ({ credentials: grpc.credentials.createInsecure() });

/** One client per server address, created on first use. */
export class RpcClients {
  readonly #clients = new Map<string, AgentClient>();
  readonly #dial: RpcDialer;
  readonly #options: grpc.ChannelOptions;

  constructor(dial: RpcDialer = PLAINTEXT, maxMessageBytes = DEFAULT_RPC_MESSAGE_BYTES) {
    this.#dial = dial;
    this.#options = rpcChannelOptions(maxMessageBytes);
  }

  #client(address: string): AgentClient {
    let c = this.#clients.get(address);
    if (!c) {
      const Ctor = proto().concord.agent.v1.Agent;
      const dial = this.#dial();
      c = new Ctor(address, dial.credentials, { ...this.#options, ...dial.options });
      this.#clients.set(address, c);
    }
    return c;
  }

  /**
   * Calls the typed method `name` on the server at `address`. A failure the method chose comes
   * back as the HttpError it would have answered; a transport failure as an RpcError.
   */
  call(address: string, name: string, req: CallRequest, timeoutMs: number, signal?: AbortSignal): Promise<CallReply__Output> {
    const m = wire().get(name);
    if (!m) return Promise.reject(new Error(`unknown RPC method ${name}`));
    return new Promise((resolve, reject) => {
      const call = this.#client(address).makeUnaryRequest(m.path, m.serialize, m.deserialize, req, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (err, res) => {
        signal?.removeEventListener('abort', cancel);
        if (!err) return resolve(res as CallReply__Output);
        const status = httpStatusOf(err);
        reject(status === undefined ? fromServiceError(err) : new RpcStatusError(err.details || err.message, err.code, status));
      });
      const cancel = () => call.cancel();
      signal?.addEventListener('abort', cancel, { once: true });
    });
  }

  status(address: string, timeoutMs: number): Promise<ServerStatus__Output> {
    return new Promise((resolve, reject) => {
      this.#client(address).Status({}, { deadline: Date.now() + timeoutMs }, (err, res) => {
        if (err) reject(fromServiceError(err));
        else resolve(res as ServerStatus__Output);
      });
    });
  }

  keyring(address: string, op: string, key: string, timeoutMs: number): Promise<KeyringReply> {
    return new Promise((resolve, reject) => {
      this.#client(address).Keyring({ op, key }, { deadline: Date.now() + timeoutMs }, (err, res) => {
        if (err) reject(fromServiceError(err));
        else resolve({ keys: res?.keys ?? [], primary: res?.primary ?? '' });
      });
    });
  }

  close(): void {
    for (const c of this.#clients.values()) c.close();
    this.#clients.clear();
  }
}

export interface BoundRpcServer {
  readonly server: grpc.Server;
  readonly port: number;
  /** Hands the port's Raft connections (raft-ts/tcp preambles) to the raft transport. */
  acceptRaft(fn: (socket: Socket) => void): void;
  /** Stops accepting, lets calls in progress end (up to 1 s), then closes every connection. */
  close(): Promise<void>;
}

/**
 * Creates the agent's gRPC server behind the RPC port's listener (plaintext, TLS or both, see
 * RpcListener); resolves once it listens.
 */
export async function bindRpcServer(
  address: string,
  port: number,
  tls?: RpcListenerTls,
  events?: RpcListenerEvents,
  maxMessageBytes = DEFAULT_RPC_MESSAGE_BYTES,
  maxConnsPerClient = 0,
): Promise<BoundRpcServer> {
  const server = new grpc.Server({ ...rpcChannelOptions(maxMessageBytes), 'grpc.max_connection_idle_ms': IDLE_CONNECTION_MS });
  const listener = await RpcListener.open(server, address, port, tls, events, maxConnsPerClient);
  return {
    server,
    port: listener.port,
    acceptRaft: (fn) => {
      listener.raftAcceptor = fn;
    },
    close: async () => {
      listener.stopAccepting();
      await shutdownRpcServer(server);
      listener.destroy();
    },
  };
}

function shutdownRpcServer(server: grpc.Server): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, 1000);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
