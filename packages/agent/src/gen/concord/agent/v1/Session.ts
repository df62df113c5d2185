// Original file: proto/agent.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CallReply as _concord_agent_v1_CallReply, CallReply__Output as _concord_agent_v1_CallReply__Output } from '../../../concord/agent/v1/CallReply.js';
import type { CallRequest as _concord_agent_v1_CallRequest, CallRequest__Output as _concord_agent_v1_CallRequest__Output } from '../../../concord/agent/v1/CallRequest.js';

export interface SessionClient extends grpc.Client {
  Apply(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  Apply(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  Apply(argument: _concord_agent_v1_CallRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  Apply(argument: _concord_agent_v1_CallRequest, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  apply(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  apply(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  apply(argument: _concord_agent_v1_CallRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  apply(argument: _concord_agent_v1_CallRequest, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  
  Get(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  Get(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  Get(argument: _concord_agent_v1_CallRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  Get(argument: _concord_agent_v1_CallRequest, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  get(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  get(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  get(argument: _concord_agent_v1_CallRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  get(argument: _concord_agent_v1_CallRequest, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  
  List(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  List(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  List(argument: _concord_agent_v1_CallRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  List(argument: _concord_agent_v1_CallRequest, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  list(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  list(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  list(argument: _concord_agent_v1_CallRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  list(argument: _concord_agent_v1_CallRequest, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  
  NodeSessions(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  NodeSessions(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  NodeSessions(argument: _concord_agent_v1_CallRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  NodeSessions(argument: _concord_agent_v1_CallRequest, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  nodeSessions(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  nodeSessions(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  nodeSessions(argument: _concord_agent_v1_CallRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  nodeSessions(argument: _concord_agent_v1_CallRequest, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  
  Renew(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  Renew(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  Renew(argument: _concord_agent_v1_CallRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  Renew(argument: _concord_agent_v1_CallRequest, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  renew(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  renew(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  renew(argument: _concord_agent_v1_CallRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  renew(argument: _concord_agent_v1_CallRequest, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  
}

export interface SessionHandlers extends grpc.UntypedServiceImplementation {
  Apply: grpc.handleUnaryCall<_concord_agent_v1_CallRequest__Output, _concord_agent_v1_CallReply>;
  
  Get: grpc.handleUnaryCall<_concord_agent_v1_CallRequest__Output, _concord_agent_v1_CallReply>;
  
  List: grpc.handleUnaryCall<_concord_agent_v1_CallRequest__Output, _concord_agent_v1_CallReply>;
  
  NodeSessions: grpc.handleUnaryCall<_concord_agent_v1_CallRequest__Output, _concord_agent_v1_CallReply>;
  
  Renew: grpc.handleUnaryCall<_concord_agent_v1_CallRequest__Output, _concord_agent_v1_CallReply>;
  
}

export interface SessionDefinition extends grpc.ServiceDefinition {
  Apply: MethodDefinition<_concord_agent_v1_CallRequest, _concord_agent_v1_CallReply, _concord_agent_v1_CallRequest__Output, _concord_agent_v1_CallReply__Output>
  Get: MethodDefinition<_concord_agent_v1_CallRequest, _concord_agent_v1_CallReply, _concord_agent_v1_CallRequest__Output, _concord_agent_v1_CallReply__Output>
  List: MethodDefinition<_concord_agent_v1_CallRequest, _concord_agent_v1_CallReply, _concord_agent_v1_CallRequest__Output, _concord_agent_v1_CallReply__Output>
  NodeSessions: MethodDefinition<_concord_agent_v1_CallRequest, _concord_agent_v1_CallReply, _concord_agent_v1_CallRequest__Output, _concord_agent_v1_CallReply__Output>
  Renew: MethodDefinition<_concord_agent_v1_CallRequest, _concord_agent_v1_CallReply, _concord_agent_v1_CallRequest__Output, _concord_agent_v1_CallReply__Output>
}
