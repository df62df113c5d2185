import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { ACLClient as _concord_agent_v1_ACLClient, ACLDefinition as _concord_agent_v1_ACLDefinition } from './concord/agent/v1/ACL.js';
import type { AgentClient as _concord_agent_v1_AgentClient, AgentDefinition as _concord_agent_v1_AgentDefinition } from './concord/agent/v1/Agent.js';
import type { CallReply as _concord_agent_v1_CallReply, CallReply__Output as _concord_agent_v1_CallReply__Output } from './concord/agent/v1/CallReply.js';
import type { CallRequest as _concord_agent_v1_CallRequest, CallRequest__Output as _concord_agent_v1_CallRequest__Output } from './concord/agent/v1/CallRequest.js';
import type { CatalogClient as _concord_agent_v1_CatalogClient, CatalogDefinition as _concord_agent_v1_CatalogDefinition } from './concord/agent/v1/Catalog.js';
import type { CoordinateClient as _concord_agent_v1_CoordinateClient, CoordinateDefinition as _concord_agent_v1_CoordinateDefinition } from './concord/agent/v1/Coordinate.js';
import type { HealthClient as _concord_agent_v1_HealthClient, HealthDefinition as _concord_agent_v1_HealthDefinition } from './concord/agent/v1/Health.js';
import type { InternalClient as _concord_agent_v1_InternalClient, InternalDefinition as _concord_agent_v1_InternalDefinition } from './concord/agent/v1/Internal.js';
import type { KVSClient as _concord_agent_v1_KVSClient, KVSDefinition as _concord_agent_v1_KVSDefinition } from './concord/agent/v1/KVS.js';
import type { KeyringRequest as _concord_agent_v1_KeyringRequest, KeyringRequest__Output as _concord_agent_v1_KeyringRequest__Output } from './concord/agent/v1/KeyringRequest.js';
import type { KeyringResponse as _concord_agent_v1_KeyringResponse, KeyringResponse__Output as _concord_agent_v1_KeyringResponse__Output } from './concord/agent/v1/KeyringResponse.js';
import type { NodeMetaFilter as _concord_agent_v1_NodeMetaFilter, NodeMetaFilter__Output as _concord_agent_v1_NodeMetaFilter__Output } from './concord/agent/v1/NodeMetaFilter.js';
import type { OperatorClient as _concord_agent_v1_OperatorClient, OperatorDefinition as _concord_agent_v1_OperatorDefinition } from './concord/agent/v1/Operator.js';
import type { PreparedQueryClient as _concord_agent_v1_PreparedQueryClient, PreparedQueryDefinition as _concord_agent_v1_PreparedQueryDefinition } from './concord/agent/v1/PreparedQuery.js';
import type { QueryMeta as _concord_agent_v1_QueryMeta, QueryMeta__Output as _concord_agent_v1_QueryMeta__Output } from './concord/agent/v1/QueryMeta.js';
import type { QueryOptions as _concord_agent_v1_QueryOptions, QueryOptions__Output as _concord_agent_v1_QueryOptions__Output } from './concord/agent/v1/QueryOptions.js';
import type { ServerStatus as _concord_agent_v1_ServerStatus, ServerStatus__Output as _concord_agent_v1_ServerStatus__Output } from './concord/agent/v1/ServerStatus.js';
import type { SessionClient as _concord_agent_v1_SessionClient, SessionDefinition as _concord_agent_v1_SessionDefinition } from './concord/agent/v1/Session.js';
import type { SnapshotClient as _concord_agent_v1_SnapshotClient, SnapshotDefinition as _concord_agent_v1_SnapshotDefinition } from './concord/agent/v1/Snapshot.js';
import type { StatusClient as _concord_agent_v1_StatusClient, StatusDefinition as _concord_agent_v1_StatusDefinition } from './concord/agent/v1/Status.js';
import type { StatusRequest as _concord_agent_v1_StatusRequest, StatusRequest__Output as _concord_agent_v1_StatusRequest__Output } from './concord/agent/v1/StatusRequest.js';
import type { TxnClient as _concord_agent_v1_TxnClient, TxnDefinition as _concord_agent_v1_TxnDefinition } from './concord/agent/v1/Txn.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  concord: {
    agent: {
      v1: {
        ACL: SubtypeConstructor<typeof grpc.Client, _concord_agent_v1_ACLClient> & { service: _concord_agent_v1_ACLDefinition }
        Agent: SubtypeConstructor<typeof grpc.Client, _concord_agent_v1_AgentClient> & { service: _concord_agent_v1_AgentDefinition }
        CallReply: MessageTypeDefinition<_concord_agent_v1_CallReply, _concord_agent_v1_CallReply__Output>
        CallRequest: MessageTypeDefinition<_concord_agent_v1_CallRequest, _concord_agent_v1_CallRequest__Output>
        Catalog: SubtypeConstructor<typeof grpc.Client, _concord_agent_v1_CatalogClient> & { service: _concord_agent_v1_CatalogDefinition }
        Consistency: EnumTypeDefinition
        Coordinate: SubtypeConstructor<typeof grpc.Client, _concord_agent_v1_CoordinateClient> & { service: _concord_agent_v1_CoordinateDefinition }
        Health: SubtypeConstructor<typeof grpc.Client, _concord_agent_v1_HealthClient> & { service: _concord_agent_v1_HealthDefinition }
        Internal: SubtypeConstructor<typeof grpc.Client, _concord_agent_v1_InternalClient> & { service: _concord_agent_v1_InternalDefinition }
        KVS: SubtypeConstructor<typeof grpc.Client, _concord_agent_v1_KVSClient> & { service: _concord_agent_v1_KVSDefinition }
        KeyringRequest: MessageTypeDefinition<_concord_agent_v1_KeyringRequest, _concord_agent_v1_KeyringRequest__Output>
        KeyringResponse: MessageTypeDefinition<_concord_agent_v1_KeyringResponse, _concord_agent_v1_KeyringResponse__Output>
        NodeMetaFilter: MessageTypeDefinition<_concord_agent_v1_NodeMetaFilter, _concord_agent_v1_NodeMetaFilter__Output>
        Operator: SubtypeConstructor<typeof grpc.Client, _concord_agent_v1_OperatorClient> & { service: _concord_agent_v1_OperatorDefinition }
        PreparedQuery: SubtypeConstructor<typeof grpc.Client, _concord_agent_v1_PreparedQueryClient> & { service: _concord_agent_v1_PreparedQueryDefinition }
        QueryMeta: MessageTypeDefinition<_concord_agent_v1_QueryMeta, _concord_agent_v1_QueryMeta__Output>
        QueryOptions: MessageTypeDefinition<_concord_agent_v1_QueryOptions, _concord_agent_v1_QueryOptions__Output>
        ServerStatus: MessageTypeDefinition<_concord_agent_v1_ServerStatus, _concord_agent_v1_ServerStatus__Output>
        Session: SubtypeConstructor<typeof grpc.Client, _concord_agent_v1_SessionClient> & { service: _concord_agent_v1_SessionDefinition }
        Snapshot: SubtypeConstructor<typeof grpc.Client, _concord_agent_v1_SnapshotClient> & { service: _concord_agent_v1_SnapshotDefinition }
        Status: SubtypeConstructor<typeof grpc.Client, _concord_agent_v1_StatusClient> & { service: _concord_agent_v1_StatusDefinition }
        StatusRequest: MessageTypeDefinition<_concord_agent_v1_StatusRequest, _concord_agent_v1_StatusRequest__Output>
        Txn: SubtypeConstructor<typeof grpc.Client, _concord_agent_v1_TxnClient> & { service: _concord_agent_v1_TxnDefinition }
      }
    }
  }
}

