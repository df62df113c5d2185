// Original file: proto/agent.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CallReply as _concord_agent_v1_CallReply, CallReply__Output as _concord_agent_v1_CallReply__Output } from '../../../concord/agent/v1/CallReply.js';
import type { CallRequest as _concord_agent_v1_CallRequest, CallRequest__Output as _concord_agent_v1_CallRequest__Output } from '../../../concord/agent/v1/CallRequest.js';

export interface PreparedQueryClient extends grpc.Client {
  Apply(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  Apply(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  Apply(argument: _concord_agent_v1_CallRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  Apply(argument: _concord_agent_v1_CallRequest, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  apply(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  apply(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  apply(argument: _concord_agent_v1_CallRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  apply(argument: _concord_agent_v1_CallRequest, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  
  Execute(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  Execute(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  Execute(argument: _concord_agent_v1_CallRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  Execute(argument: _concord_agent_v1_CallRequest, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  execute(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  execute(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  execute(argument: _concord_agent_v1_CallRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  execute(argument: _concord_agent_v1_CallRequest, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  
  ExecuteRemote(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  ExecuteRemote(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  ExecuteRemote(argument: _concord_agent_v1_CallRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  ExecuteRemote(argument: _concord_agent_v1_CallRequest, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  executeRemote(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  executeRemote(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  executeRemote(argument: _concord_agent_v1_CallRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  executeRemote(argument: _concord_agent_v1_CallRequest, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  
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
  
}

export interface PreparedQueryHandlers extends grpc.UntypedServiceImplementation {
  Apply: grpc.handleUnaryCall<_concord_agent_v1_CallRequest__Output, _concord_agent_v1_CallReply>;
  
  Execute: grpc.handleUnaryCall<_concord_agent_v1_CallRequest__Output, _concord_agent_v1_CallReply>;
  
  ExecuteRemote: grpc.handleUnaryCall<_concord_agent_v1_CallRequest__Output, _concord_agent_v1_CallReply>;
  
  Get: grpc.handleUnaryCall<_concord_agent_v1_CallRequest__Output, _concord_agent_v1_CallReply>;
  
  List: grpc.handleUnaryCall<_concord_agent_v1_CallRequest__Output, _concord_agent_v1_CallReply>;
  
}

export interface PreparedQueryDefinition extends grpc.ServiceDefinition {
  Apply: MethodDefinition<_concord_agent_v1_CallRequest, _concord_agent_v1_CallReply, _concord_agent_v1_CallRequest__Output, _concord_agent_v1_CallReply__Output>
  Execute: MethodDefinition<_concord_agent_v1_CallRequest, _concord_agent_v1_CallReply, _concord_agent_v1_CallRequest__Output, _concord_agent_v1_CallReply__Output>
  ExecuteRemote: MethodDefinition<_concord_agent_v1_CallRequest, _concord_agent_v1_CallReply, _concord_agent_v1_CallRequest__Output, _concord_agent_v1_CallReply__Output>
  Get: MethodDefinition<_concord_agent_v1_CallRequest, _concord_agent_v1_CallReply, _concord_agent_v1_CallRequest__Output, _concord_agent_v1_CallReply__Output>
  List: MethodDefinition<_concord_agent_v1_CallRequest, _concord_agent_v1_CallReply, _concord_agent_v1_CallRequest__Output, _concord_agent_v1_CallReply__Output>
}
