import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AgentClient as _concord_agent_v1_AgentClient, AgentDefinition as _concord_agent_v1_AgentDefinition } from './concord/agent/v1/Agent.js';
import type { ApplyRequest as _concord_agent_v1_ApplyRequest, ApplyRequest__Output as _concord_agent_v1_ApplyRequest__Output } from './concord/agent/v1/ApplyRequest.js';
import type { ApplyResponse as _concord_agent_v1_ApplyResponse, ApplyResponse__Output as _concord_agent_v1_ApplyResponse__Output } from './concord/agent/v1/ApplyResponse.js';
import type { HttpRequest as _concord_agent_v1_HttpRequest, HttpRequest__Output as _concord_agent_v1_HttpRequest__Output } from './concord/agent/v1/HttpRequest.js';
import type { HttpResponse as _concord_agent_v1_HttpResponse, HttpResponse__Output as _concord_agent_v1_HttpResponse__Output } from './concord/agent/v1/HttpResponse.js';
import type { KeyringRequest as _concord_agent_v1_KeyringRequest, KeyringRequest__Output as _concord_agent_v1_KeyringRequest__Output } from './concord/agent/v1/KeyringRequest.js';
import type { KeyringResponse as _concord_agent_v1_KeyringResponse, KeyringResponse__Output as _concord_agent_v1_KeyringResponse__Output } from './concord/agent/v1/KeyringResponse.js';
import type { ServerStatus as _concord_agent_v1_ServerStatus, ServerStatus__Output as _concord_agent_v1_ServerStatus__Output } from './concord/agent/v1/ServerStatus.js';
import type { StatusRequest as _concord_agent_v1_StatusRequest, StatusRequest__Output as _concord_agent_v1_StatusRequest__Output } from './concord/agent/v1/StatusRequest.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  concord: {
    agent: {
      v1: {
        Agent: SubtypeConstructor<typeof grpc.Client, _concord_agent_v1_AgentClient> & { service: _concord_agent_v1_AgentDefinition }
        ApplyRequest: MessageTypeDefinition<_concord_agent_v1_ApplyRequest, _concord_agent_v1_ApplyRequest__Output>
        ApplyResponse: MessageTypeDefinition<_concord_agent_v1_ApplyResponse, _concord_agent_v1_ApplyResponse__Output>
        HttpRequest: MessageTypeDefinition<_concord_agent_v1_HttpRequest, _concord_agent_v1_HttpRequest__Output>
        HttpResponse: MessageTypeDefinition<_concord_agent_v1_HttpResponse, _concord_agent_v1_HttpResponse__Output>
        KeyringRequest: MessageTypeDefinition<_concord_agent_v1_KeyringRequest, _concord_agent_v1_KeyringRequest__Output>
        KeyringResponse: MessageTypeDefinition<_concord_agent_v1_KeyringResponse, _concord_agent_v1_KeyringResponse__Output>
        ServerStatus: MessageTypeDefinition<_concord_agent_v1_ServerStatus, _concord_agent_v1_ServerStatus__Output>
        StatusRequest: MessageTypeDefinition<_concord_agent_v1_StatusRequest, _concord_agent_v1_StatusRequest__Output>
      }
    }
  }
}

