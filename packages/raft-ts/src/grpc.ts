// raft-ts/grpc: the Raft transport over gRPC (proto/raft.proto).
export { DEFAULT_MAX_MESSAGE_BYTES, GrpcTransport, type GrpcTransportOptions, type RaftPeerAuth } from './grpc/grpc-transport.js';
