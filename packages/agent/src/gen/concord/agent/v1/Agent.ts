// Original file: proto/agent.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { KeyringRequest as _concord_agent_v1_KeyringRequest, KeyringRequest__Output as _concord_agent_v1_KeyringRequest__Output } from '../../../concord/agent/v1/KeyringRequest.js';
import type { KeyringResponse as _concord_agent_v1_KeyringResponse, KeyringResponse__Output as _concord_agent_v1_KeyringResponse__Output } from '../../../concord/agent/v1/KeyringResponse.js';
import type { ServerStatus as _concord_agent_v1_ServerStatus, ServerStatus__Output as _concord_agent_v1_ServerStatus__Output } from '../../../concord/agent/v1/ServerStatus.js';
import type { StatusRequest as _concord_agent_v1_StatusRequest, StatusRequest__Output as _concord_agent_v1_StatusRequest__Output } from '../../../concord/agent/v1/StatusRequest.js';

export interface AgentClient extends grpc.Client {
  Keyring(argument: _concord_agent_v1_KeyringRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_KeyringResponse__Output>): grpc.ClientUnaryCall;
  Keyring(argument: _concord_agent_v1_KeyringRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_KeyringResponse__Output>): grpc.ClientUnaryCall;
  Keyring(argument: _concord_agent_v1_KeyringRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_KeyringResponse__Output>): grpc.ClientUnaryCall;
  Keyring(argument: _concord_agent_v1_KeyringRequest, callback: grpc.requestCallback<_concord_agent_v1_KeyringResponse__Output>): grpc.ClientUnaryCall;
  keyring(argument: _concord_agent_v1_KeyringRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_KeyringResponse__Output>): grpc.ClientUnaryCall;
  keyring(argument: _concord_agent_v1_KeyringRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_KeyringResponse__Output>): grpc.ClientUnaryCall;
  keyring(argument: _concord_agent_v1_KeyringRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_KeyringResponse__Output>): grpc.ClientUnaryCall;
  keyring(argument: _concord_agent_v1_KeyringRequest, callback: grpc.requestCallback<_concord_agent_v1_KeyringResponse__Output>): grpc.ClientUnaryCall;
  
  Status(argument: _concord_agent_v1_StatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_ServerStatus__Output>): grpc.ClientUnaryCall;
  Status(argument: _concord_agent_v1_StatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_ServerStatus__Output>): grpc.ClientUnaryCall;
  Status(argument: _concord_agent_v1_StatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_ServerStatus__Output>): grpc.ClientUnaryCall;
  Status(argument: _concord_agent_v1_StatusRequest, callback: grpc.requestCallback<_concord_agent_v1_ServerStatus__Output>): grpc.ClientUnaryCall;
  status(argument: _concord_agent_v1_StatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_ServerStatus__Output>): grpc.ClientUnaryCall;
  status(argument: _concord_agent_v1_StatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_ServerStatus__Output>): grpc.ClientUnaryCall;
  status(argument: _concord_agent_v1_StatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_ServerStatus__Output>): grpc.ClientUnaryCall;
  status(argument: _concord_agent_v1_StatusRequest, callback: grpc.requestCallback<_concord_agent_v1_ServerStatus__Output>): grpc.ClientUnaryCall;
  
}

export interface AgentHandlers extends grpc.UntypedServiceImplementation {
  Keyring: grpc.handleUnaryCall<_concord_agent_v1_KeyringRequest__Output, _concord_agent_v1_KeyringResponse>;
  
  Status: grpc.handleUnaryCall<_concord_agent_v1_StatusRequest__Output, _concord_agent_v1_ServerStatus>;
  
}

export interface AgentDefinition extends grpc.ServiceDefinition {
  Keyring: MethodDefinition<_concord_agent_v1_KeyringRequest, _concord_agent_v1_KeyringResponse, _concord_agent_v1_KeyringRequest__Output, _concord_agent_v1_KeyringResponse__Output>
  Status: MethodDefinition<_concord_agent_v1_StatusRequest, _concord_agent_v1_ServerStatus, _concord_agent_v1_StatusRequest__Output, _concord_agent_v1_ServerStatus__Output>
}
