// Original file: proto/agent.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CallReply as _concord_agent_v1_CallReply, CallReply__Output as _concord_agent_v1_CallReply__Output } from '../../../concord/agent/v1/CallReply.js';
import type { CallRequest as _concord_agent_v1_CallRequest, CallRequest__Output as _concord_agent_v1_CallRequest__Output } from '../../../concord/agent/v1/CallRequest.js';

export interface HealthClient extends grpc.Client {
  ChecksInState(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  ChecksInState(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  ChecksInState(argument: _concord_agent_v1_CallRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  ChecksInState(argument: _concord_agent_v1_CallRequest, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  checksInState(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  checksInState(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  checksInState(argument: _concord_agent_v1_CallRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  checksInState(argument: _concord_agent_v1_CallRequest, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  
  NodeChecks(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  NodeChecks(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  NodeChecks(argument: _concord_agent_v1_CallRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  NodeChecks(argument: _concord_agent_v1_CallRequest, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  nodeChecks(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  nodeChecks(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  nodeChecks(argument: _concord_agent_v1_CallRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  nodeChecks(argument: _concord_agent_v1_CallRequest, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  
  ServiceChecks(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  ServiceChecks(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  ServiceChecks(argument: _concord_agent_v1_CallRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  ServiceChecks(argument: _concord_agent_v1_CallRequest, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  serviceChecks(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  serviceChecks(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  serviceChecks(argument: _concord_agent_v1_CallRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  serviceChecks(argument: _concord_agent_v1_CallRequest, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  
  ServiceNodes(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  ServiceNodes(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  ServiceNodes(argument: _concord_agent_v1_CallRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  ServiceNodes(argument: _concord_agent_v1_CallRequest, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  serviceNodes(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  serviceNodes(argument: _concord_agent_v1_CallRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  serviceNodes(argument: _concord_agent_v1_CallRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  serviceNodes(argument: _concord_agent_v1_CallRequest, callback: grpc.requestCallback<_concord_agent_v1_CallReply__Output>): grpc.ClientUnaryCall;
  
}

export interface HealthHandlers extends grpc.UntypedServiceImplementation {
  ChecksInState: grpc.handleUnaryCall<_concord_agent_v1_CallRequest__Output, _concord_agent_v1_CallReply>;
  
  NodeChecks: grpc.handleUnaryCall<_concord_agent_v1_CallRequest__Output, _concord_agent_v1_CallReply>;
  
  ServiceChecks: grpc.handleUnaryCall<_concord_agent_v1_CallRequest__Output, _concord_agent_v1_CallReply>;
  
  ServiceNodes: grpc.handleUnaryCall<_concord_agent_v1_CallRequest__Output, _concord_agent_v1_CallReply>;
  
}

export interface HealthDefinition extends grpc.ServiceDefinition {
  ChecksInState: MethodDefinition<_concord_agent_v1_CallRequest, _concord_agent_v1_CallReply, _concord_agent_v1_CallRequest__Output, _concord_agent_v1_CallReply__Output>
  NodeChecks: MethodDefinition<_concord_agent_v1_CallRequest, _concord_agent_v1_CallReply, _concord_agent_v1_CallRequest__Output, _concord_agent_v1_CallReply__Output>
  ServiceChecks: MethodDefinition<_concord_agent_v1_CallRequest, _concord_agent_v1_CallReply, _concord_agent_v1_CallRequest__Output, _concord_agent_v1_CallReply__Output>
  ServiceNodes: MethodDefinition<_concord_agent_v1_CallRequest, _concord_agent_v1_CallReply, _concord_agent_v1_CallRequest__Output, _concord_agent_v1_CallReply__Output>
}
