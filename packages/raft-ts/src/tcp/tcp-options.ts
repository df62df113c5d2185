import type { PeerCertificate, ConnectionOptions, TlsOptions } from 'node:tls';
import type { NodeId } from '../core/types.js';

/**
 * First byte of a Raft connection, so that a port shared with other protocols can route it
 * (Consul's own RPC port uses the same two values): Raft frames follow at once, or a TLS session
 * follows whose content is Raft frames.
 */
export const RAFT_PREAMBLE_PLAIN = 0x01;
export const RAFT_PREAMBLE_TLS = 0x03;

/** Default largest frame payload: an append carries at least one whole entry. */
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024 * 1024;
/** Default largest snapshot a receiver assembles. */
export const DEFAULT_MAX_SNAPSHOT_BYTES = 2 * 1024 * 1024 * 1024;
/** How long an inbound connection may take to send its preamble and finish its TLS handshake. */
export const HANDSHAKE_MS = 10_000;
/** Requests of one inbound connection being answered at once; past this the connection is not read until some are answered. */
export const MAX_REQUESTS_IN_FLIGHT = 4096;

/** What an inbound connection says about its peer (the same shape as grpc-js's auth context). */
export interface RaftPeerAuth {
  readonly transportSecurityType?: string;
  readonly sslPeerCertificate?: PeerCertificate;
}

export interface TcpTransportOptions {
  readonly id: NodeId;
  /**
   * `host:port` to listen on (port 0 picks one). Without it the transport does not listen: the
   * owner of a shared port hands it Raft connections with `accept()`.
   */
  readonly listen?: string;
  /** Peer id → `host:port`. More can be added with setPeer(). */
  readonly peers?: Readonly<Record<NodeId, string>>;
  /**
   * How to dial a peer: with `tls`, a TLS session (e.g. mutual TLS with the cluster's CA, and the
   * name the peer's certificate must carry) after the TLS preamble; plaintext otherwise. Called
   * per connection, so material that is reloaded applies to new connections.
   */
  readonly dial?: () => { tls?: ConnectionOptions };
  /**
   * The TLS side of inbound connections (certificate, CA, `requestCert`/`rejectUnauthorized` for
   * verifying peers), called per connection. Without it, TLS connections are refused.
   */
  readonly serverTls?: () => TlsOptions;
  /** Refuse plaintext inbound connections (`verify_incoming`). */
  readonly requireTls?: boolean;
  /**
   * Decides whether an inbound connection may deliver Raft messages, from its TLS details (e.g.
   * the peer's verified certificate must name a server). Refused connections are closed before
   * any frame is read. Everything is accepted by default.
   */
  readonly authorize?: (auth: RaftPeerAuth) => boolean;
  /** Largest frame payload sent or received. Default 64 MiB. */
  readonly maxFrameBytes?: number;
  /** Largest snapshot received. Default 2 GiB. */
  readonly maxSnapshotBytes?: number;
  /** Snapshot chunk size in bytes. Default 1 MiB. */
  readonly snapshotChunkBytes?: number;
  /** Bytes buffered on one connection before further messages are dropped. Default 64 MiB. */
  readonly maxBufferedBytes?: number;
  /** Reconnect backoff after a connection fails: initial and maximum delay in ms. Defaults 50 and 2000. */
  readonly backoffInitialMs?: number;
  readonly backoffMaxMs?: number;
  /** Called when an inbound connection is refused or breaks the protocol (for logs and tests). */
  readonly onRefused?: (reason: string) => void;
}
