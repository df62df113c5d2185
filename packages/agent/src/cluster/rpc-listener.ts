/**
 * The server RPC port (8300): one TCP listener in front of the agent's gRPC server (agent RPC)
 * and the framed Raft transport. It reads the first byte of each connection: a Raft preamble
 * (raft-ts/tcp: 0x01 plaintext, 0x03 TLS follows) goes to the Raft transport, which applies the
 * same TLS rules itself; a TLS handshake goes to the gRPC TLS side, anything else to the plaintext
 * side, which exists only while incoming connections are not
 * verified (Consul's rule, which lets a live cluster move to TLS one agent at a time). A
 * connection that sends nothing within the handshake deadline is closed, and one client address
 * holds at most `limits.rpc_max_conns_per_client` connections (Consul's default 100).
 */
import { type Server as NetServer, type Socket, createServer } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { RAFT_PREAMBLE_PLAIN, RAFT_PREAMBLE_TLS } from 'raft-ts/tcp';

/** First byte of a TLS record carrying a handshake. */
const TLS_HANDSHAKE = 0x16;
/** How long a new connection may stay silent before it is closed. */
const FIRST_BYTE_MS = 10_000;

/**
 * Connections held before their first byte decides where they go. Past this, new ones are
 * closed at once, so silent connections cannot pile up for the whole first-byte deadline.
 */
export const MAX_PENDING_CONNECTIONS = 256;

type ConnectionInjector = ReturnType<grpc.Server['createConnectionInjector']>;

export interface RpcListenerTls {
  readonly credentials: grpc.ServerCredentials;
  /** Plaintext connections are refused (with `verify_incoming`). */
  readonly requireTls: boolean;
}

export interface RpcListenerEvents {
  /** A plaintext connection refused because TLS is required. */
  onPlaintextRefused?(remote: string): void;
  /** A connection closed at once because its address already holds the most allowed. */
  onTooManyConnections?(remote: string): void;
}

export class RpcListener {
  readonly #net: NetServer;
  readonly #injectors: ConnectionInjector[] = [];
  readonly #sockets = new Set<Socket>();
  #pending = 0;
  #port = 0;
  /** Open connections per client address. */
  readonly #perClient = new Map<string, number>();
  #maxPerClient = 0;
  #raft: ((socket: Socket) => void) | undefined;

  private constructor(net: NetServer) {
    this.#net = net;
  }

  get port(): number {
    return this.#port;
  }

  /** Where Raft connections go (the server's raft transport, once its log is open); refused until set. */
  set raftAcceptor(fn: ((socket: Socket) => void) | undefined) {
    this.#raft = fn;
  }

  /** Listens on `host:port` (port 0 picks a free one) in front of `server`. */
  static async open(server: grpc.Server, host: string, port: number, tls?: RpcListenerTls, events: RpcListenerEvents = {}, maxConnsPerClient = 0): Promise<RpcListener> {
    const secure = tls ? server.createConnectionInjector(tls.credentials) : undefined;
    const plain = tls?.requireTls ? undefined : server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
    const net = createServer({ pauseOnConnect: true, noDelay: true });
    const listener = new RpcListener(net);
    listener.#maxPerClient = maxConnsPerClient;
    if (secure) listener.#injectors.push(secure);
    if (plain) listener.#injectors.push(plain);
    net.on('connection', (socket: Socket) => listener.#accept(socket, secure, plain, events));
    await new Promise<void>((resolve, reject) => {
      net.once('error', reject);
      net.listen(port, host, () => {
        net.off('error', reject);
        resolve();
      });
    });
    const addr = net.address();
    listener.#port = typeof addr === 'object' && addr ? addr.port : port;
    return listener;
  }

  #accept(socket: Socket, secure: ConnectionInjector | undefined, plain: ConnectionInjector | undefined, events: RpcListenerEvents): void {
    if (this.#pending >= MAX_PENDING_CONNECTIONS) {
      socket.destroy();
      return;
    }
    const ip = socket.remoteAddress ?? '';
    const held = this.#perClient.get(ip) ?? 0;
    if (this.#maxPerClient > 0 && held >= this.#maxPerClient) {
      events.onTooManyConnections?.(ip);
      socket.destroy();
      return;
    }
    this.#perClient.set(ip, held + 1);
    this.#pending++;
    let decided = false;
    const decide = () => {
      if (decided) return;
      decided = true;
      this.#pending--;
    };
    this.#sockets.add(socket);
    socket.once('close', () => {
      decide();
      this.#sockets.delete(socket);
      const n = (this.#perClient.get(ip) ?? 1) - 1;
      if (n <= 0) this.#perClient.delete(ip);
      else this.#perClient.set(ip, n);
    });
    socket.on('error', () => socket.destroy());
    const timer = setTimeout(() => socket.destroy(), FIRST_BYTE_MS);
    socket.once('readable', () => {
      clearTimeout(timer);
      decide();
      const first = socket.read(1) as Buffer | null;
      if (!first) {
        socket.destroy();
        return;
      }
      socket.unshift(first);
      socket.removeAllListeners('error');
      if (first[0] === RAFT_PREAMBLE_PLAIN || first[0] === RAFT_PREAMBLE_TLS) {
        if (this.#raft) this.#raft(socket);
        else socket.destroy();
        return;
      }
      const isTls = first[0] === TLS_HANDSHAKE;
      const target = isTls ? secure : plain;
      if (!target) {
        if (!isTls) events.onPlaintextRefused?.(`${socket.remoteAddress}:${socket.remotePort}`);
        socket.destroy();
        return;
      }
      target.injectConnection(socket);
    });
    socket.resume();
    socket.pause();
  }

  /** Stops accepting connections; open ones stay until `destroy` (or the gRPC server ends them). */
  stopAccepting(): void {
    if (this.#net.listening) this.#net.close();
  }

  /** Closes every connection still open. */
  destroy(): void {
    for (const i of this.#injectors) i.destroy();
    for (const s of this.#sockets) s.destroy();
  }
}
