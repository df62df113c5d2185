// raft-ts/tcp: the Raft transport over TCP or TLS with length-prefixed protobuf frames (proto/raft.proto).
export {
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_MAX_SNAPSHOT_BYTES,
  MAX_REQUESTS_IN_FLIGHT,
  RAFT_PREAMBLE_PLAIN,
  RAFT_PREAMBLE_TLS,
  TcpTransport,
  type RaftPeerAuth,
  type TcpTransportOptions,
} from './tcp/tcp-transport.js';
export { FrameDecoder, FrameError, FrameKind, encodeFrame } from './tcp/frames.js';
export { WireFormatError, decodeBatch, encodeBatch } from './tcp/wire-codec.js';
export { RequestError, type RequestHandler } from './tcp/requests.js';
