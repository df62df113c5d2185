import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { TransportHandler, Transport } from '../driver/transport.js';
import { ReconnectBackoff } from '../driver/reconnect-backoff.js';
import type { Message, NodeId } from '../core/types.js';
import { raftDescriptor } from '../gen/raft-descriptor.js';
import type { ProtoGrpcType } from '../gen/raft.js';
import type { RaftClient } from '../gen/concord/raft/v1/Raft.js';
import type { Batch, Batch__Output } from '../gen/concord/raft/v1/Batch.js';
import type { Message as PbMessage } from '../gen/concord/raft/v1/Message.js';
import type { SnapshotChunk, SnapshotChunk__Output } from '../gen/concord/raft/v1/SnapshotChunk.js';
import type { SnapshotAck } from '../gen/concord/raft/v1/SnapshotAck.js';
import type { StreamAck } from '../gen/concord/raft/v1/StreamAck.js';
import { fromPb, metaFromPb, metaToPb, toPb } from './codec.js';
import { concatBytes } from '../bytes.js';

/** Options identical to the generator's (`scripts/gen-proto.mjs`). */
const LOADER_OPTIONS: protoLoader.Options = { longs: Number, enums: String, defaults: true, oneofs: true };

let cachedProto: ProtoGrpcType | undefined;
function loadProto(): ProtoGrpcType {
  cachedProto ??= grpc.loadPackageDefinition(
    protoLoader.fromJSON(raftDescriptor as unknown as Parameters<typeof protoLoader.fromJSON>[0], LOADER_OPTIONS),
  ) as unknown as ProtoGrpcType;
  return cachedProto;
}

/**
 * Default cap on one gRPC message each way: an append carries at least one whole entry, so the
 * cap must hold the largest entry the application proposes (snapshots travel in 1 MiB chunks).
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.initial_reconnect_backoff_ms': 50,
  'grpc.max_reconnect_backoff_ms': 2000,
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 5_000,
  // Raft retransmits what a broken stream lost; grpc-js's transparent retry would only buffer
  // every message of the long-lived streams.
  'grpc.enable_retries': 0,
};

/** What an inbound Raft stream's connection says about its peer (grpc-js's auth context). */
export type RaftPeerAuth = ReturnType<grpc.ServerReadableStream<unknown, unknown>['getAuthContext']>;

export interface GrpcTransportOptions {
  readonly id: NodeId;
  /**
   * Address to listen on, e.g. `127.0.0.1:0` (port 0 picks a free port). Ignored when `server`
   * is given.
   */
  readonly listen?: string;
  /**
   * An existing gRPC server to register the Raft service on (e.g. the agent's RPC server, which
   * also serves forwarding). The caller binds it and shuts it down; close() leaves it running.
   */
  readonly server?: grpc.Server;
  /** Peer id → `host:port`. More can be added with setPeer(). */
  readonly peers?: Readonly<Record<NodeId, string>>;
  /** Snapshot chunk size in bytes. Default 1 MiB. */
  readonly snapshotChunkBytes?: number;
  /**
   * Largest gRPC message sent or received, in bytes (`DEFAULT_MAX_MESSAGE_BYTES`, 64 MiB). With
   * `server`, the receiving side's cap is the server's own option, set by its creator.
   */
  readonly maxMessageBytes?: number;
  /** Bytes buffered on one stream before further messages are dropped. Default 64 MiB. */
  readonly maxBufferedBytes?: number;
  /** Reconnect backoff after a stream fails: initial and maximum delay in ms. Defaults 50 and 2000. */
  readonly backoffInitialMs?: number;
  readonly backoffMaxMs?: number;
  /**
   * How to dial peers: TLS credentials (e.g. mutual TLS with the cluster's CA) and extra channel
   * options such as `grpc.ssl_target_name_override`. Plaintext by default. Called per peer
   * connection, so credentials that reload their certificates apply to new connections.
   */
  readonly dial?: () => { credentials: grpc.ChannelCredentials; options?: grpc.ChannelOptions };
  /**
   * Decides whether an inbound stream may deliver Raft messages, from its TLS details (e.g. the
   * peer's verified certificate must name a server). Refused streams end with PERMISSION_DENIED
   * and their messages never reach the node. Everything is accepted by default.
   */
  readonly authorize?: (auth: RaftPeerAuth) => boolean;
}

type Lane = 'control' | 'append';

class OutStream {
  call: grpc.ClientWritableStream<Batch> | undefined;
  queue: PbMessage[] = [];
  scheduled = false;
  readonly backoff: ReconnectBackoff;
  constructor(initialMs: number, maxMs: number) {
    this.backoff = new ReconnectBackoff(initialMs, maxMs);
  }
}

class Peer {
  readonly id: NodeId;
  address: string;
  client: RaftClient | undefined;
  readonly lanes: Record<Lane, OutStream>;

  constructor(id: NodeId, address: string, backoffInitialMs: number, backoffMaxMs: number) {
    this.id = id;
    this.address = address;
    this.lanes = { control: new OutStream(backoffInitialMs, backoffMaxMs), append: new OutStream(backoffInitialMs, backoffMaxMs) };
  }
}

/** Ends a stream a closed transport will not read, so a shared server can shut down at once. */
function refuseClosed(cb: grpc.sendUnaryData<never>): void {
  cb({ code: grpc.status.UNAVAILABLE, details: 'raft transport closed' });
}

function refuseUnauthorized(cb: grpc.sendUnaryData<never>): void {
  cb({ code: grpc.status.PERMISSION_DENIED, details: 'raft: peer not authorized' });
}

function laneOf(m: Message): Lane {
  return m.type === 'app' || m.type === 'appResp' ? 'append' : 'control';
}

/**
 * Raft transport over gRPC. Each node opens, per peer and over one HTTP/2 connection, two
 * long-lived client streams: `control` (heartbeats, votes, reads, TimeoutNow) and `append`
 * (appends and their acknowledgements), so heartbeats never queue behind appends. Snapshots go on
 * their own InstallSnapshot call in chunks. Messages queued in one event-loop turn are written as
 * one Batch. A failed stream is reopened with exponential backoff; messages sent meanwhile are
 * dropped (Raft retransmits) and the peer is reported unreachable.
 */
export class GrpcTransport implements Transport {
  readonly id: NodeId;
  readonly #opts: GrpcTransportOptions;
  readonly #peers = new Map<NodeId, Peer>();
  #server: grpc.Server | undefined;
  #handler: TransportHandler | undefined;
  #port = 0;
  #closed = false;
  readonly #inbound = new Set<grpc.ServerReadableStream<Batch__Output, StreamAck> | grpc.ServerReadableStream<SnapshotChunk__Output, SnapshotAck>>();

  #channelOptions(): grpc.ChannelOptions {
    const max = this.#opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    return { ...CHANNEL_OPTIONS, 'grpc.max_send_message_length': max, 'grpc.max_receive_message_length': max };
  }

  constructor(opts: GrpcTransportOptions) {
    this.id = opts.id;
    this.#opts = opts;
    for (const [id, addr] of Object.entries(opts.peers ?? {})) if (id !== opts.id) this.setPeer(id, addr);
  }

  /** The bound `host:port` (after start). */
  get address(): string {
    const listen = this.#opts.listen ?? '127.0.0.1:0';
    const host = listen.slice(0, listen.lastIndexOf(':'));
    return `${host}:${this.#port}`;
  }

  get port(): number {
    return this.#port;
  }

  setPeer(id: NodeId, address: string): void {
    const p = this.#peers.get(id);
    if (p && p.address === address) return;
    if (p) this.removePeer(id);
    this.#peers.set(id, new Peer(id, address, this.#opts.backoffInitialMs ?? 50, this.#opts.backoffMaxMs ?? 2000));
  }

  removePeer(id: NodeId): void {
    const p = this.#peers.get(id);
    if (!p) return;
    this.#peers.delete(id);
    for (const lane of Object.values(p.lanes)) lane.call?.end();
    p.client?.close();
  }

  async start(handler: TransportHandler): Promise<void> {
    this.#handler = handler;
    const proto = loadProto();
    const server = this.#opts.server ?? new grpc.Server(this.#channelOptions());
    server.addService(proto.concord.raft.v1.Raft.service, {
      Stream: (call: grpc.ServerReadableStream<Batch__Output, StreamAck>, cb: grpc.sendUnaryData<StreamAck>) => {
        if (this.#closed) return refuseClosed(cb);
        if (this.#opts.authorize && !this.#opts.authorize(call.getAuthContext())) return refuseUnauthorized(cb);
        this.#inbound.add(call);
        call.on('data', (b: Batch__Output) => {
          if (this.#closed) return;
          for (const pm of b.messages) {
            let m: Message;
            try {
              m = fromPb(pm);
            } catch {
              continue;
            }
            this.#peerAlive(m.from);
            handler.onMessage(m);
          }
        });
        call.on('end', () => {
          this.#inbound.delete(call);
          cb(null, {});
        });
        call.on('error', () => this.#inbound.delete(call));
      },
      InstallSnapshot: (call: grpc.ServerReadableStream<SnapshotChunk__Output, SnapshotAck>, cb: grpc.sendUnaryData<SnapshotAck>) => {
        if (this.#closed) return refuseClosed(cb);
        if (this.#opts.authorize && !this.#opts.authorize(call.getAuthContext())) return refuseUnauthorized(cb);
        this.#inbound.add(call);
        let first: SnapshotChunk__Output | undefined;
        const parts: Uint8Array[] = [];
        call.on('data', (c: SnapshotChunk__Output) => {
          first ??= c;
          if (c.data.byteLength > 0) parts.push(c.data);
        });
        call.on('end', () => {
          this.#inbound.delete(call);
          if (!first?.header || !first.meta) {
            cb(null, { ok: false });
            return;
          }
          try {
            const data = concatBytes(parts);
            const m = fromPb(first.header, { meta: metaFromPb(first.meta), data });
            handler.onMessage(m);
            cb(null, { ok: true });
          } catch {
            cb(null, { ok: false });
          }
        });
        call.on('error', () => this.#inbound.delete(call));
      },
    });
    if (this.#opts.server) return;
    const listen = this.#opts.listen ?? '127.0.0.1:0';
    this.#port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(listen, grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port)));
    });
    this.#server = server;
  }

  send(m: Message): void {
    if (this.#closed) return;
    const peer = this.#peers.get(m.to);
    if (!peer) return;
    if (m.type === 'snap') {
      void this.#sendSnapshot(peer, m);
      return;
    }
    const lane = peer.lanes[laneOf(m)];
    lane.queue.push(toPb(m));
    if (!lane.scheduled) {
      lane.scheduled = true;
      setImmediate(() => this.#flush(peer, lane));
    }
  }

  #client(peer: Peer): RaftClient {
    if (!peer.client) {
      const Ctor = loadProto().concord.raft.v1.Raft;
      const dial = this.#opts.dial?.();
      peer.client = new Ctor(peer.address, dial?.credentials ?? grpc.credentials.createInsecure(), { ...this.#channelOptions(), ...dial?.options });
    }
    return peer.client;
  }

  #peerAlive(id: NodeId): void {
    const p = this.#peers.get(id);
    if (!p) return;
    for (const lane of Object.values(p.lanes)) {
      if (lane.call === undefined) lane.backoff.peerAlive();
    }
  }

  #flush(peer: Peer, lane: OutStream): void {
    lane.scheduled = false;
    if (this.#closed || lane.queue.length === 0 || this.#peers.get(peer.id) !== peer) return;
    const messages = lane.queue;
    lane.queue = [];
    if (!lane.call) {
      if (lane.backoff.waiting()) {
        this.#dropped(peer, lane);
        return;
      }
      const call = this.#client(peer).Stream((err) => {
        if (lane.call === call) lane.call = undefined;
        if (err && !this.#closed) {
          lane.backoff.failed();
          this.#handler?.onUnreachable(peer.id);
        }
      });
      lane.call = call;
      lane.backoff.opened();
    }
    const call = lane.call;
    if (call.writableLength > (this.#opts.maxBufferedBytes ?? 64 * 1024 * 1024)) {
      this.#dropped(peer, lane);
      return;
    }
    call.write({ messages }, () => {
      // Written to the connection: the peer is reachable again.
      lane.backoff.written();
    });
  }

  #dropped(peer: Peer, lane: OutStream): void {
    if (lane.backoff.reportOnce()) this.#handler?.onUnreachable(peer.id);
  }

  async #sendSnapshot(peer: Peer, m: Message): Promise<void> {
    const snap = m.snapshot;
    if (!snap) return;
    const chunkBytes = this.#opts.snapshotChunkBytes ?? 1024 * 1024;
    let settled = false;
    const report = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      this.#handler?.onSnapshotStatus(peer.id, ok);
    };
    try {
      const call = this.#client(peer).InstallSnapshot((err, ack) => report(!err && ack?.ok === true));
      call.on('error', () => report(false));
      const header = toPb({ ...m, snapshot: undefined });
      const n = Math.max(1, Math.ceil(snap.data.byteLength / chunkBytes));
      for (let i = 0; i < n; i++) {
        const chunk: SnapshotChunk = {
          data: snap.data.subarray(i * chunkBytes, (i + 1) * chunkBytes),
          last: i === n - 1,
          ...(i === 0 ? { header, meta: metaToPb(snap) } : {}),
        };
        if (!call.write(chunk)) await new Promise<void>((resolve) => call.once('drain', resolve));
        if (settled) return;
      }
      call.end();
    } catch {
      report(false);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const id of [...this.#peers.keys()]) this.removePeer(id);
    for (const call of this.#inbound) call.destroy();
    this.#inbound.clear();
    const server = this.#server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, 500);
      server.tryShutdown(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}
