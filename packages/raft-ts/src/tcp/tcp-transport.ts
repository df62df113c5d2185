import { type Server, type Socket, connect as netConnect, createServer } from 'node:net';
import { type PeerCertificate, type TLSSocket, type TlsOptions, TLSSocket as TlsSocket, connect as tlsConnect } from 'node:tls';
import type { Transport, TransportHandler } from '../driver/transport.js';
import type { Message, NodeId } from '../core/types.js';
import { concatBytes } from '../bytes.js';
import { FrameDecoder, FrameKind, frameHeader } from './frames.js';
import { decodeBatch, decodeSnapshotAck, decodeSnapshotChunk, encodeBatch, encodeSnapshotAck, encodeSnapshotChunk, withSnapshot } from './wire-codec.js';
import { HELLO_ID, PendingRequests, REQUEST_ID_BYTES, type RequestHandler, RequestError, readRequest, replyId, writeReply, writeRequest } from './requests.js';

import {
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_MAX_SNAPSHOT_BYTES,
  HANDSHAKE_MS,
  MAX_REQUESTS_IN_FLIGHT,
  RAFT_PREAMBLE_PLAIN,
  RAFT_PREAMBLE_TLS,
  type RaftPeerAuth,
  type TcpTransportOptions,
} from './tcp-options.js';
import { type OutLane, Peer, laneOf, splitAddress, writeFrame } from './tcp-peers.js';

export { DEFAULT_MAX_FRAME_BYTES, DEFAULT_MAX_SNAPSHOT_BYTES, MAX_REQUESTS_IN_FLIGHT, RAFT_PREAMBLE_PLAIN, RAFT_PREAMBLE_TLS } from './tcp-options.js';
export type { RaftPeerAuth, TcpTransportOptions } from './tcp-options.js';

/**
 * Raft transport over TCP (or TLS) with length-prefixed protobuf frames. Each node keeps two
 * connections per peer: `control` (heartbeats, votes, reads, TimeoutNow) and `append` (appends and
 * their acknowledgements), so heartbeats never queue behind appends. Messages queued in one
 * piece of synchronous work (one Ready) go out as one frame at the end of that tick, without
 * waiting for a later turn of the event loop or for earlier frames to be answered (pipelined).
 * A third connection, opened on first use, carries the application's requests to the peer and
 * their replies (`request`, `serveRequests`). A snapshot goes on a connection of its own, in chunks, and the receiver answers
 * with an ack frame. A failed connection is reopened with exponential backoff; messages sent
 * meanwhile are dropped (Raft retransmits) and the peer is reported unreachable.
 */
export class TcpTransport implements Transport {
  readonly id: NodeId;
  readonly #o: TcpTransportOptions;
  readonly #peers = new Map<NodeId, Peer>();
  readonly #inbound = new Set<Socket>();
  #handler: TransportHandler | undefined;
  #requestHandler: RequestHandler | undefined;
  #server: Server | undefined;
  #port = 0;
  #closed = false;

  constructor(opts: TcpTransportOptions) {
    this.id = opts.id;
    this.#o = opts;
    for (const [id, addr] of Object.entries(opts.peers ?? {})) if (id !== opts.id) this.setPeer(id, addr);
  }

  /** The bound `host:port` (after start, when listening). */
  get address(): string {
    const { host } = splitAddress(this.#o.listen ?? '127.0.0.1:0');
    return `${host}:${this.#port}`;
  }

  get port(): number {
    return this.#port;
  }

  get #maxFrame(): number {
    return this.#o.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  }

  setPeer(id: NodeId, address: string): void {
    const p = this.#peers.get(id);
    if (p && p.address === address) return;
    if (p) this.removePeer(id);
    this.#peers.set(id, new Peer(id, address, this.#o.backoffInitialMs ?? 50, this.#o.backoffMaxMs ?? 2000));
  }

  removePeer(id: NodeId): void {
    const p = this.#peers.get(id);
    if (!p) return;
    this.#peers.delete(id);
    // Closing the request connection fails its requests (see #openRequestLane).
    for (const lane of p.outLanes) lane.socket?.destroy();
  }

  /**
   * Answers requests that arrive on inbound connections (which passed the same TLS and
   * `authorize` checks as Raft's). Without a handler a request is answered with a failure.
   */
  serveRequests(handler: RequestHandler | undefined): void {
    this.#requestHandler = handler;
  }

  /**
   * Sends `payload` to peer `to` as a request and resolves with the payload its handler answered.
   * Requests from many callers in one turn leave in one syscall; they are answered in any order.
   * Rejects with RequestError: `delivered` false when it never reached the peer (unknown peer,
   * no connection could be made), true when its outcome is unknown (the connection broke after
   * it was sent, `timeoutMs` passed) or the peer's handler failed.
   */
  request(to: NodeId, payload: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    if (this.#closed) return Promise.reject(new RequestError('transport closed', false));
    const peer = this.#peers.get(to);
    if (!peer) return Promise.reject(new RequestError(`No connection established: unknown peer ${to}`, false));
    if (payload.byteLength + REQUEST_ID_BYTES > this.#maxFrame)
      return Promise.reject(new RequestError(`request of ${payload.byteLength} bytes exceeds the frame limit of ${this.#maxFrame}`, false));
    const lane = peer.requests;
    if (!lane.socket) {
      if (lane.backoff.waiting()) return Promise.reject(new RequestError(`No connection established to ${peer.address} (reconnecting)`, false));
      this.#openRequestLane(peer);
    }
    const { id, answer } = peer.pending.add(timeoutMs);
    if (lane.connected) writeRequest(lane.socket as Socket, id, payload);
    else lane.held.push({ id, payload });
    return answer;
  }

  #openRequestLane(peer: Peer): void {
    const lane = peer.requests;
    const socket = this.#connect(peer);
    const pending = peer.pending;
    lane.socket = socket;
    lane.connected = false;
    lane.held = [];
    lane.backoff.opened();
    socket.on('error', () => socket.destroy());
    writeRequest(socket as Socket, HELLO_ID, new Uint8Array(0));
    let answered = false;
    const decoder = new FrameDecoder(this.#maxFrame);
    socket.on('data', (bytes: Buffer) => {
      try {
        for (const f of decoder.push(bytes)) {
          if (f.kind !== FrameKind.reply) throw new Error(`unexpected frame kind ${f.kind} on a request connection`);
          if (replyId(f.payload) !== HELLO_ID) {
            pending.settle(f.payload);
            continue;
          }
          if (answered) continue;
          answered = true;
          lane.connected = true;
          lane.backoff.written();
          for (const r of lane.held) writeRequest(socket as Socket, r.id, r.payload);
          lane.held = [];
        }
      } catch {
        socket.destroy();
      }
    });
    socket.once('close', () => {
      // Requests were written only once the hello was answered.
      const delivered = answered;
      if (lane.socket === socket) {
        lane.socket = undefined;
        lane.connected = false;
        lane.held = [];
        if (!delivered) lane.backoff.failed();
      }
      // Requests of this connection only: a new one may already carry later requests.
      pending.failAll(
        new RequestError(delivered ? `connection to ${peer.address} closed before the reply` : `No connection established to ${peer.address} (or it takes no requests)`, delivered),
      );
      if (peer.pending === pending) peer.pending = new PendingRequests();
    });
  }

  async start(handler: TransportHandler): Promise<void> {
    this.#handler = handler;
    if (this.#o.listen === undefined) return;
    const { host, port } = splitAddress(this.#o.listen);
    const server = createServer({ noDelay: true }, (s) => this.accept(s));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address();
    this.#port = typeof addr === 'object' && addr ? addr.port : port;
    this.#server = server;
  }

  /**
   * Takes an inbound connection whose first byte is a Raft preamble (it may still be unread):
   * plaintext, or TLS per `serverTls`, then `authorize`, then frames until it closes.
   */
  accept(socket: Socket): void {
    if (this.#closed) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    this.#inbound.add(socket);
    socket.once('close', () => this.#inbound.delete(socket));
    socket.on('error', () => socket.destroy());
    const timer = setTimeout(() => this.#refuse(socket, 'no preamble or TLS handshake in time'), HANDSHAKE_MS);
    timer.unref?.();
    const onPreamble = (): void => {
      const first = socket.read(1) as Buffer | null;
      if (!first) {
        socket.once('readable', onPreamble);
        return;
      }
      const b = first[0] as number;
      const refusal = this.#preambleRefusal(b);
      if (refusal !== undefined) {
        clearTimeout(timer);
        this.#refuse(socket, refusal);
        return;
      }
      if (b === RAFT_PREAMBLE_PLAIN) {
        clearTimeout(timer);
        this.#serve(socket);
        return;
      }
      const serverTls = this.#o.serverTls as () => TlsOptions;
      const secure = new TlsSocket(socket, { ...serverTls(), isServer: true });
      secure.on('error', () => {
        clearTimeout(timer);
        secure.destroy();
        socket.destroy();
      });
      secure.once('secure', () => {
        clearTimeout(timer);
        const cert = secure.getPeerCertificate();
        const auth: RaftPeerAuth = { transportSecurityType: 'ssl', ...(cert && Object.keys(cert).length > 0 ? { sslPeerCertificate: cert } : {}) };
        if (this.#o.authorize && !this.#o.authorize(auth)) {
          this.#onRefused('Raft peer not authorized by its certificate');
          secure.destroy();
          socket.destroy();
          return;
        }
        this.#inbound.add(secure as unknown as Socket);
        secure.once('close', () => this.#inbound.delete(secure as unknown as Socket));
        this.#serve(secure);
      });
    };
    onPreamble();
  }

  /** Why a connection that opened with byte `b` is refused before TLS, or undefined. */
  #preambleRefusal(b: number): string | undefined {
    if (b === RAFT_PREAMBLE_PLAIN) {
      if (this.#o.requireTls) return 'plaintext Raft connection refused: TLS is required';
      if (this.#o.authorize && !this.#o.authorize({})) return 'plaintext Raft connection not authorized';
      return undefined;
    }
    if (b !== RAFT_PREAMBLE_TLS) return `not a Raft connection (first byte ${b})`;
    if (!this.#o.serverTls) return 'TLS Raft connection refused: no TLS configured';
    return undefined;
  }

  #refuse(socket: Socket, reason: string): void {
    this.#onRefused(reason);
    socket.destroy();
  }

  #onRefused(reason: string): void {
    this.#o.onRefused?.(reason);
  }

  /** Reads frames from an accepted (and authorized) connection until it closes. */
  #serve(socket: Socket | TLSSocket): void {
    const decoder = new FrameDecoder(this.#maxFrame);
    const maxSnapshot = this.#o.maxSnapshotBytes ?? DEFAULT_MAX_SNAPSHOT_BYTES;
    let snapParts: Uint8Array[] | undefined;
    let snapBytes = 0;
    let snapFirst: ReturnType<typeof decodeSnapshotChunk> | undefined;
    const fail = (reason: string): void => {
      this.#onRefused(reason);
      socket.destroy();
    };
    const answering = this.#answering(socket);
    socket.on('data', (bytes: Buffer) => {
      if (this.#closed) {
        socket.destroy();
        return;
      }
      let frames;
      try {
        frames = decoder.push(bytes);
      } catch (err) {
        fail((err as Error).message);
        return;
      }
      for (const f of frames) {
        if (socket.destroyed) return;
        try {
          if (f.kind === FrameKind.request) {
            answering.answer(f.payload);
          } else if (f.kind === FrameKind.batch) {
            for (const m of decodeBatch(f.payload)) {
              this.#peerAlive(m.from);
              this.#handler?.onMessage(m);
            }
          } else if (f.kind === FrameKind.snapshotChunk) {
            const c = decodeSnapshotChunk(f.payload);
            snapFirst ??= c;
            snapParts ??= [];
            snapBytes += c.data.byteLength;
            if (snapBytes > maxSnapshot) {
              fail(`snapshot larger than the limit of ${maxSnapshot} bytes`);
              return;
            }
            if (c.data.byteLength > 0) snapParts.push(c.data);
            if (c.last) {
              const ok = this.#deliverSnapshot(snapFirst, snapParts);
              snapParts = undefined;
              snapFirst = undefined;
              snapBytes = 0;
              writeFrame(socket as Socket, FrameKind.snapshotAck, encodeSnapshotAck(ok));
            }
          } else {
            fail('unexpected frame kind on an inbound connection');
            return;
          }
        } catch (err) {
          fail(`undecodable frame: ${(err as Error).message}`);
          return;
        }
      }
    });
    // The owner of a shared port may have paused the socket while it read the first byte.
    socket.resume();
  }

  /** Answers the requests of one inbound connection on it; pauses reading while too many are in flight. */
  #answering(socket: Socket | TLSSocket): { answer(payload: Uint8Array): void } {
    const closed = new AbortController();
    socket.once('close', () => closed.abort());
    let inFlight = 0;
    return {
      answer: (payload) => {
        const { id, body } = readRequest(payload);
        if (id === HELLO_ID) {
          writeReply(socket as Socket, id, { answer: body });
          return;
        }
        const handler = this.#requestHandler;
        if (!handler) {
          writeReply(socket as Socket, id, { notServed: 'requests are not served here' });
          return;
        }
        if (++inFlight >= MAX_REQUESTS_IN_FLIGHT) socket.pause();
        const done = (): void => {
          if (inFlight-- === MAX_REQUESTS_IN_FLIGHT && !socket.destroyed) socket.resume();
        };
        let answer: Promise<Uint8Array>;
        try {
          answer = handler(body, closed.signal);
        } catch (err) {
          answer = Promise.reject(err as Error);
        }
        answer.then(
          (bytes) => {
            done();
            if (!socket.destroyed) writeReply(socket as Socket, id, { answer: bytes });
          },
          (err: unknown) => {
            done();
            if (!socket.destroyed) writeReply(socket as Socket, id, { failed: err instanceof Error ? err.message : String(err) });
          },
        );
      },
    };
  }

  #deliverSnapshot(first: ReturnType<typeof decodeSnapshotChunk>, parts: Uint8Array[]): boolean {
    if (!first.header || !first.meta || first.header.type !== 'snap') return false;
    this.#peerAlive(first.header.from);
    this.#handler?.onMessage(withSnapshot(first.header, { meta: first.meta, data: concatBytes(parts) }));
    return true;
  }

  send(m: Message): void {
    if (this.#closed) return;
    const peer = this.#peers.get(m.to);
    if (!peer) return;
    if (m.type === 'snap') {
      this.#sendSnapshot(peer, m);
      return;
    }
    const lane = peer.lanes[laneOf(m)];
    lane.queue.push(m);
    if (!lane.scheduled) {
      lane.scheduled = true;
      // At the end of this tick, not a later turn of the event loop: a Ready's messages are sent
      // in one synchronous run, so they still leave as one frame, and nothing waits for a turn.
      process.nextTick(() => this.#flush(peer, lane));
    }
  }

  /** Opens a connection to the peer: TCP, the preamble, and TLS when dialling says so. */
  #connect(peer: Peer): Socket | TLSSocket {
    const { host, port } = splitAddress(peer.address);
    const tls = this.#o.dial?.().tls;
    const raw = netConnect({ host, port, noDelay: true });
    raw.write(Uint8Array.of(tls ? RAFT_PREAMBLE_TLS : RAFT_PREAMBLE_PLAIN));
    if (!tls) return raw;
    const secure = tlsConnect({ ...tls, socket: raw });
    secure.once('close', () => raw.destroy());
    return secure;
  }

  #peerAlive(id: NodeId): void {
    const p = this.#peers.get(id);
    if (!p) return;
    for (const lane of p.outLanes) {
      if (lane.socket === undefined) lane.backoff.peerAlive();
    }
  }

  #flush(peer: Peer, lane: OutLane): void {
    lane.scheduled = false;
    if (this.#closed || lane.queue.length === 0 || this.#peers.get(peer.id) !== peer) return;
    const messages = lane.queue;
    lane.queue = [];
    if (!lane.socket) {
      if (lane.backoff.waiting()) {
        this.#dropped(peer, lane);
        return;
      }
      const socket = this.#connect(peer);
      socket.on('error', () => socket.destroy());
      // Outbound connections carry no inbound frames; anything the peer sends is ignored.
      socket.on('data', () => {});
      socket.once('close', () => {
        if (lane.socket === socket) lane.socket = undefined;
        if (this.#closed || this.#peers.get(peer.id) !== peer) return;
        lane.backoff.failed();
        this.#handler?.onUnreachable(peer.id);
      });
      lane.socket = socket;
      lane.backoff.opened();
    }
    const socket = lane.socket;
    if (socket.writableLength > (this.#o.maxBufferedBytes ?? 64 * 1024 * 1024)) {
      this.#dropped(peer, lane);
      return;
    }
    const payload = encodeBatch(messages);
    if (payload.byteLength > this.#maxFrame) {
      // One message over the frame limit (an entry too large to replicate) never gets through.
      this.#dropped(peer, lane);
      return;
    }
    writeFrame(socket as Socket, FrameKind.batch, payload, (err) => {
      if (!err) lane.backoff.written();
    });
  }

  #dropped(peer: Peer, lane: OutLane): void {
    if (lane.backoff.reportOnce()) this.#handler?.onUnreachable(peer.id);
  }

  #sendSnapshot(peer: Peer, m: Message): void {
    const snap = m.snapshot;
    if (!snap) return;
    const chunkBytes = Math.min(this.#o.snapshotChunkBytes ?? 1024 * 1024, this.#maxFrame - 4096);
    let settled = false;
    const socket = this.#connect(peer);
    const report = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      this.#handler?.onSnapshotStatus(peer.id, ok);
    };
    socket.on('error', () => report(false));
    socket.once('close', () => report(false));
    const decoder = new FrameDecoder(16);
    socket.on('data', (bytes: Buffer) => {
      try {
        for (const f of decoder.push(bytes)) {
          if (f.kind === FrameKind.snapshotAck) report(decodeSnapshotAck(f.payload));
        }
      } catch {
        report(false);
      }
    });
    const header = { ...m, snapshot: undefined };
    const n = Math.max(1, Math.ceil(snap.data.byteLength / chunkBytes));
    let i = 0;
    const pump = (): void => {
      while (i < n && !settled) {
        const chunk = encodeSnapshotChunk({
          data: snap.data.subarray(i * chunkBytes, (i + 1) * chunkBytes),
          last: i === n - 1,
          ...(i === 0 ? { header, meta: snap.meta } : {}),
        });
        i++;
        socket.cork();
        socket.write(frameHeader(FrameKind.snapshotChunk, chunk.byteLength));
        const more = socket.write(chunk);
        socket.uncork();
        if (!more) {
          socket.once('drain', pump);
          return;
        }
      }
    };
    pump();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const id of [...this.#peers.keys()]) this.removePeer(id);
    for (const s of this.#inbound) s.destroy();
    this.#inbound.clear();
    const server = this.#server;
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export type { PeerCertificate };
