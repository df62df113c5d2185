// Original file: proto/raft.proto

import type { Message as _concord_raft_v1_Message, Message__Output as _concord_raft_v1_Message__Output } from '../../../concord/raft/v1/Message.js';

export interface Batch {
  'messages'?: (_concord_raft_v1_Message)[];
}

export interface Batch__Output {
  'messages': (_concord_raft_v1_Message__Output)[];
}
