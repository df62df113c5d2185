// Original file: proto/raft.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { Batch as _concord_raft_v1_Batch, Batch__Output as _concord_raft_v1_Batch__Output } from '../../../concord/raft/v1/Batch.js';
import type { SnapshotAck as _concord_raft_v1_SnapshotAck, SnapshotAck__Output as _concord_raft_v1_SnapshotAck__Output } from '../../../concord/raft/v1/SnapshotAck.js';
import type { SnapshotChunk as _concord_raft_v1_SnapshotChunk, SnapshotChunk__Output as _concord_raft_v1_SnapshotChunk__Output } from '../../../concord/raft/v1/SnapshotChunk.js';
import type { StreamAck as _concord_raft_v1_StreamAck, StreamAck__Output as _concord_raft_v1_StreamAck__Output } from '../../../concord/raft/v1/StreamAck.js';

export interface RaftClient extends grpc.Client {
  InstallSnapshot(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_raft_v1_SnapshotAck__Output>): grpc.ClientWritableStream<_concord_raft_v1_SnapshotChunk>;
  InstallSnapshot(metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_raft_v1_SnapshotAck__Output>): grpc.ClientWritableStream<_concord_raft_v1_SnapshotChunk>;
  InstallSnapshot(options: grpc.CallOptions, callback: grpc.requestCallback<_concord_raft_v1_SnapshotAck__Output>): grpc.ClientWritableStream<_concord_raft_v1_SnapshotChunk>;
  InstallSnapshot(callback: grpc.requestCallback<_concord_raft_v1_SnapshotAck__Output>): grpc.ClientWritableStream<_concord_raft_v1_SnapshotChunk>;
  installSnapshot(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_raft_v1_SnapshotAck__Output>): grpc.ClientWritableStream<_concord_raft_v1_SnapshotChunk>;
  installSnapshot(metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_raft_v1_SnapshotAck__Output>): grpc.ClientWritableStream<_concord_raft_v1_SnapshotChunk>;
  installSnapshot(options: grpc.CallOptions, callback: grpc.requestCallback<_concord_raft_v1_SnapshotAck__Output>): grpc.ClientWritableStream<_concord_raft_v1_SnapshotChunk>;
  installSnapshot(callback: grpc.requestCallback<_concord_raft_v1_SnapshotAck__Output>): grpc.ClientWritableStream<_concord_raft_v1_SnapshotChunk>;
  
  Stream(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_raft_v1_StreamAck__Output>): grpc.ClientWritableStream<_concord_raft_v1_Batch>;
  Stream(metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_raft_v1_StreamAck__Output>): grpc.ClientWritableStream<_concord_raft_v1_Batch>;
  Stream(options: grpc.CallOptions, callback: grpc.requestCallback<_concord_raft_v1_StreamAck__Output>): grpc.ClientWritableStream<_concord_raft_v1_Batch>;
  Stream(callback: grpc.requestCallback<_concord_raft_v1_StreamAck__Output>): grpc.ClientWritableStream<_concord_raft_v1_Batch>;
  stream(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_raft_v1_StreamAck__Output>): grpc.ClientWritableStream<_concord_raft_v1_Batch>;
  stream(metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_raft_v1_StreamAck__Output>): grpc.ClientWritableStream<_concord_raft_v1_Batch>;
  stream(options: grpc.CallOptions, callback: grpc.requestCallback<_concord_raft_v1_StreamAck__Output>): grpc.ClientWritableStream<_concord_raft_v1_Batch>;
  stream(callback: grpc.requestCallback<_concord_raft_v1_StreamAck__Output>): grpc.ClientWritableStream<_concord_raft_v1_Batch>;
  
}

export interface RaftHandlers extends grpc.UntypedServiceImplementation {
  InstallSnapshot: grpc.handleClientStreamingCall<_concord_raft_v1_SnapshotChunk__Output, _concord_raft_v1_SnapshotAck>;
  
  Stream: grpc.handleClientStreamingCall<_concord_raft_v1_Batch__Output, _concord_raft_v1_StreamAck>;
  
}

export interface RaftDefinition extends grpc.ServiceDefinition {
  InstallSnapshot: MethodDefinition<_concord_raft_v1_SnapshotChunk, _concord_raft_v1_SnapshotAck, _concord_raft_v1_SnapshotChunk__Output, _concord_raft_v1_SnapshotAck__Output>
  Stream: MethodDefinition<_concord_raft_v1_Batch, _concord_raft_v1_StreamAck, _concord_raft_v1_Batch__Output, _concord_raft_v1_StreamAck__Output>
}
