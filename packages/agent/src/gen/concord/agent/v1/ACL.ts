// Original file: proto/agent.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CallReply as _concord_agent_v1_CallReply, CallReply__Output as _concord_agent_v1_CallReply__Output } from '../../../concord/agent/v1/CallReply.js';
import type { CallRequest as _concord_agent_v1_CallRequest, CallRequest__Output as _concord_agent_v1_CallRequest__Output } from '../../../concord/agent/v1/CallRequest.js';

export interface ACLClient extends grpc.Client {
  Apply(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  Apply(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  Apply(argument: _concord_agent_v1_CallRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  Apply(argument: _concord_agent_v1_CallRequest, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  apply(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  apply(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  apply(argument: _concord_agent_v1_CallRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  apply(argument: _concord_agent_v1_CallRequest, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  
  Read(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  Read(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  Read(argument: _concord_agent_v1_CallRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  Read(argument: _concord_agent_v1_CallRequest, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  read(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  read(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  read(argument: _concord_agent_v1_CallRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  read(argument: _concord_agent_v1_CallRequest, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  
  ReplicationStatus(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  ReplicationStatus(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  ReplicationStatus(argument: _concord_agent_v1_CallRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  ReplicationStatus(argument: _concord_agent_v1_CallRequest, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  replicationStatus(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  replicationStatus(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  replicationStatus(argument: _concord_agent_v1_CallRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  replicationStatus(argument: _concord_agent_v1_CallRequest, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  
  ResolveToken(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  ResolveToken(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  ResolveToken(argument: _concord_agent_v1_CallRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  ResolveToken(argument: _concord_agent_v1_CallRequest, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  resolveToken(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  resolveToken(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  resolveToken(argument: _concord_agent_v1_CallRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  resolveToken(argument: _concord_agent_v1_CallRequest, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  
}

export interface ACLHandlers extends grpc.UntypedServiceImplementation {
  Apply: grpc.handleUnaryCall<_concord_agent_v1_CallRequest__Output, _concord_agent_v1_CallReply>;
  
  Read: grpc.handleUnaryCall<_concord_agent_v1_CallRequest__Output, _concord_agent_v1_CallReply>;
  
  ReplicationStatus: grpc.handleUnaryCall<_concord_agent_v1_CallRequest__Output, _concord_agent_v1_CallReply>;
  
  ResolveToken: grpc.handleUnaryCall<_concord_agent_v1_CallRequest__Output, _concord_agent_v1_CallReply>;
  
}

export interface ACLDefinition extends grpc.ServiceDefinition {
  Apply: MethodDefinition<_concord_agent_v1_CallRequest, _concord_agent_v1_CallReply, _concord_agent_v1_CallRequest__Output, _concord_agent_v1_CallReply__Output>
  Read: MethodDefinition<_concord_agent_v1_CallRequest, _concord_agent_v1_CallReply, _concord_agent_v1_CallRequest__Output, _concord_agent_v1_CallReply__Output>
  ReplicationStatus: MethodDefinition<_concord_agent_v1_CallRequest, _concord_agent_v1_CallReply, _concord_agent_v1_CallRequest__Output, _concord_agent_v1_CallReply__Output>
  ResolveToken: MethodDefinition<_concord_agent_v1_CallRequest, _concord_agent_v1_CallReply, _concord_agent_v1_CallRequest__Output, _concord_agent_v1_CallReply__Output>
}
