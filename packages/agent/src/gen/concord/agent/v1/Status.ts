// Original file: proto/agent.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CallReply as _concord_agent_v1_CallReply, CallReply__Output as _concord_agent_v1_CallReply__Output } from '../../../concord/agent/v1/CallReply.js';
import type { CallRequest as _concord_agent_v1_CallRequest, CallRequest__Output as _concord_agent_v1_CallRequest__Output } from '../../../concord/agent/v1/CallRequest.js';

export interface StatusClient extends grpc.Client {
  Leader(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  Leader(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  Leader(argument: _concord_agent_v1_CallRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  Leader(argument: _concord_agent_v1_CallRequest, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  leader(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  leader(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  leader(argument: _concord_agent_v1_CallRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  leader(argument: _concord_agent_v1_CallRequest, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  
  Peers(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  Peers(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  Peers(argument: _concord_agent_v1_CallRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  Peers(argument: _concord_agent_v1_CallRequest, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  peers(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  peers(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  peers(argument: _concord_agent_v1_CallRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  peers(argument: _concord_agent_v1_CallRequest, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  
}

export interface StatusHandlers extends grpc.UntypedServiceImplementation {
  Leader: grpc.handleUnaryCall<_concord_agent_v1_CallRequest__Output, _concord_agent_v1_CallReply>;
  
  Peers: grpc.handleUnaryCall<_concord_agent_v1_CallRequest__Output, _concord_agent_v1_CallReply>;
  
}

export interface StatusDefinition extends grpc.ServiceDefinition {
  Leader: MethodDefinition<_concord_agent_v1_CallRequest, _concord_agent_v1_CallReply, _concord_agent_v1_CallRequest__Output, _concord_agent_v1_CallReply__Output>
  Peers: MethodDefinition<_concord_agent_v1_CallRequest, _concord_agent_v1_CallReply, _concord_agent_v1_CallRequest__Output, _concord_agent_v1_CallReply__Output>
}
