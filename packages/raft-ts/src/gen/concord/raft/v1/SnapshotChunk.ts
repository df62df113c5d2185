// Original file: proto/raft.proto

import type { Message as _concord_raft_v1_Message, Message__Output as _concord_raft_v1_Message__Output } from '../../../concord/raft/v1/Message.js';
import type { SnapshotMeta as _concord_raft_v1_SnapshotMeta, SnapshotMeta__Output as _concord_raft_v1_SnapshotMeta__Output } from '../../../concord/raft/v1/SnapshotMeta.js';

export interface SnapshotChunk {
  'header'?: (_concord_raft_v1_Message | null);
  'meta'?: (_concord_raft_v1_SnapshotMeta | null);
  'data'?: (Buffer | Uint8Array | string);
  'last'?: (boolean);
}

export interface SnapshotChunk__Output {
  'header': (_concord_raft_v1_Message__Output | null);
  'meta': (_concord_raft_v1_SnapshotMeta__Output | null);
  'data': (Buffer);
  'last': (boolean);
}
