import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { Batch as _concord_raft_v1_Batch, Batch__Output as _concord_raft_v1_Batch__Output } from './concord/raft/v1/Batch.js';
import type { ConfState as _concord_raft_v1_ConfState, ConfState__Output as _concord_raft_v1_ConfState__Output } from './concord/raft/v1/ConfState.js';
import type { Entry as _concord_raft_v1_Entry, Entry__Output as _concord_raft_v1_Entry__Output } from './concord/raft/v1/Entry.js';
import type { Message as _concord_raft_v1_Message, Message__Output as _concord_raft_v1_Message__Output } from './concord/raft/v1/Message.js';
import type { RaftClient as _concord_raft_v1_RaftClient, RaftDefinition as _concord_raft_v1_RaftDefinition } from './concord/raft/v1/Raft.js';
import type { SnapshotAck as _concord_raft_v1_SnapshotAck, SnapshotAck__Output as _concord_raft_v1_SnapshotAck__Output } from './concord/raft/v1/SnapshotAck.js';
import type { SnapshotChunk as _concord_raft_v1_SnapshotChunk, SnapshotChunk__Output as _concord_raft_v1_SnapshotChunk__Output } from './concord/raft/v1/SnapshotChunk.js';
import type { SnapshotMeta as _concord_raft_v1_SnapshotMeta, SnapshotMeta__Output as _concord_raft_v1_SnapshotMeta__Output } from './concord/raft/v1/SnapshotMeta.js';
import type { StreamAck as _concord_raft_v1_StreamAck, StreamAck__Output as _concord_raft_v1_StreamAck__Output } from './concord/raft/v1/StreamAck.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  concord: {
    raft: {
      v1: {
        Batch: MessageTypeDefinition<_concord_raft_v1_Batch, _concord_raft_v1_Batch__Output>
        ConfState: MessageTypeDefinition<_concord_raft_v1_ConfState, _concord_raft_v1_ConfState__Output>
        Entry: MessageTypeDefinition<_concord_raft_v1_Entry, _concord_raft_v1_Entry__Output>
        EntryType: EnumTypeDefinition
        Message: MessageTypeDefinition<_concord_raft_v1_Message, _concord_raft_v1_Message__Output>
        MessageType: EnumTypeDefinition
        Raft: SubtypeConstructor<typeof grpc.Client, _concord_raft_v1_RaftClient> & { service: _concord_raft_v1_RaftDefinition }
        SnapshotAck: MessageTypeDefinition<_concord_raft_v1_SnapshotAck, _concord_raft_v1_SnapshotAck__Output>
        SnapshotChunk: MessageTypeDefinition<_concord_raft_v1_SnapshotChunk, _concord_raft_v1_SnapshotChunk__Output>
        SnapshotMeta: MessageTypeDefinition<_concord_raft_v1_SnapshotMeta, _concord_raft_v1_SnapshotMeta__Output>
        StreamAck: MessageTypeDefinition<_concord_raft_v1_StreamAck, _concord_raft_v1_StreamAck__Output>
      }
    }
  }
}

