// Original file: proto/agent.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ApplyRequest as _concord_agent_v1_ApplyRequest, ApplyRequest__Output as _concord_agent_v1_ApplyRequest__Output } from '../../../concord/agent/v1/ApplyRequest.js';
import type { ApplyResponse as _concord_agent_v1_ApplyResponse, ApplyResponse__Output as _concord_agent_v1_ApplyResponse__Output } from '../../../concord/agent/v1/ApplyResponse.js';
import type { HttpRequest as _concord_agent_v1_HttpRequest, HttpRequest__Output as _concord_agent_v1_HttpRequest__Output } from '../../../concord/agent/v1/HttpRequest.js';
import type { HttpResponse as _concord_agent_v1_HttpResponse, HttpResponse__Output as _concord_agent_v1_HttpResponse__Output } from '../../../concord/agent/v1/HttpResponse.js';
import type { KeyringRequest as _concord_agent_v1_KeyringRequest, KeyringRequest__Output as _concord_agent_v1_KeyringRequest__Output } from '../../../concord/agent/v1/KeyringRequest.js';
import type { KeyringResponse as _concord_agent_v1_KeyringResponse, KeyringResponse__Output as _concord_agent_v1_KeyringResponse__Output } from '../../../concord/agent/v1/KeyringResponse.js';
import type { ServerStatus as _concord_agent_v1_ServerStatus, ServerStatus__Output as _concord_agent_v1_ServerStatus__Output } from '../../../concord/agent/v1/ServerStatus.js';
import type { StatusRequest as _concord_agent_v1_StatusRequest, StatusRequest__Output as _concord_agent_v1_StatusRequest__Output } from '../../../concord/agent/v1/StatusRequest.js';

export interface AgentClient extends grpc.Client {
  Apply(argument: _concord_agent_v1_ApplyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  Apply(argument: _concord_agent_v1_ApplyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  Apply(argument: _concord_agent_v1_ApplyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  Apply(argument: _concord_agent_v1_ApplyRequest, callback: grpc.requestCallback<_concord_agent_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  apply(argument: _concord_agent_v1_ApplyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  apply(argument: _concord_agent_v1_ApplyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  apply(argument: _concord_agent_v1_ApplyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  apply(argument: _concord_agent_v1_ApplyRequest, callback: grpc.requestCallback<_concord_agent_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  
  Forward(argument: _concord_agent_v1_HttpRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_HttpResponse__Output>): grpc.ClientUnaryCall;
  Forward(argument: _concord_agent_v1_HttpRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_HttpResponse__Output>): grpc.ClientUnaryCall;
  Forward(argument: _concord_agent_v1_HttpRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_HttpResponse__Output>): grpc.ClientUnaryCall;
  Forward(argument: _concord_agent_v1_HttpRequest, callback: grpc.requestCallback<_concord_agent_v1_HttpResponse__Output>): grpc.ClientUnaryCall;
  forward(argument: _concord_agent_v1_HttpRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_HttpResponse__Output>): grpc.ClientUnaryCall;
  forward(argument: _concord_agent_v1_HttpRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_concord_agent_v1_HttpResponse__Output>): grpc.ClientUnaryCall;
  forward(argument: _concord_agent_v1_HttpRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_concord_agent_v1_HttpResponse__Output>): grpc.ClientUnaryCall;
  forward(argument: _concord_agent_v1_HttpRequest, callback: grpc.requestCallback<_concord_agent_v1_HttpResponse__Output>): grpc.ClientUnaryCall;
  
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
  Apply: grpc.handleUnaryCall<_concord_agent_v1_ApplyRequest__Output, _concord_agent_v1_ApplyResponse>;
  
  Forward: grpc.handleUnaryCall<_concord_agent_v1_HttpRequest__Output, _concord_agent_v1_HttpResponse>;
  
  Keyring: grpc.handleUnaryCall<_concord_agent_v1_KeyringRequest__Output, _concord_agent_v1_KeyringResponse>;
  
  Status: grpc.handleUnaryCall<_concord_agent_v1_StatusRequest__Output, _concord_agent_v1_ServerStatus>;
  
}

export interface AgentDefinition extends grpc.ServiceDefinition {
  Apply: MethodDefinition<_concord_agent_v1_ApplyRequest, _concord_agent_v1_ApplyResponse, _concord_agent_v1_ApplyRequest__Output, _concord_agent_v1_ApplyResponse__Output>
  Forward: MethodDefinition<_concord_agent_v1_HttpRequest, _concord_agent_v1_HttpResponse, _concord_agent_v1_HttpRequest__Output, _concord_agent_v1_HttpResponse__Output>
  Keyring: MethodDefinition<_concord_agent_v1_KeyringRequest, _concord_agent_v1_KeyringResponse, _concord_agent_v1_KeyringRequest__Output, _concord_agent_v1_KeyringResponse__Output>
  Status: MethodDefinition<_concord_agent_v1_StatusRequest, _concord_agent_v1_ServerStatus, _concord_agent_v1_StatusRequest__Output, _concord_agent_v1_ServerStatus__Output>
}
