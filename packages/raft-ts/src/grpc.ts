// raft-ts/grpc: the Raft transport over gRPC (proto/raft.proto).
export { GrpcTransport, type GrpcTransportOptions, type RaftPeerAuth } from './grpc/grpc-transport.js';
