// Original file: proto/raft.proto

import type { MessageType as _concord_raft_v1_MessageType, MessageType__Output as _concord_raft_v1_MessageType__Output } from '../../../concord/raft/v1/MessageType.js';
import type { Entry as _concord_raft_v1_Entry, Entry__Output as _concord_raft_v1_Entry__Output } from '../../../concord/raft/v1/Entry.js';
import type { Long } from '@grpc/proto-loader';

export interface Message {
  'type'?: (_concord_raft_v1_MessageType);
  'from'?: (string);
  'to'?: (string);
  'term'?: (number | string | Long);
  'logTerm'?: (number | string | Long);
  'index'?: (number | string | Long);
  'entries'?: (_concord_raft_v1_Entry)[];
  'commit'?: (number | string | Long);
  'reject'?: (boolean);
  'rejectHint'?: (number | string | Long);
  'context'?: (string);
}

export interface Message__Output {
  'type': (_concord_raft_v1_MessageType__Output);
  'from': (string);
  'to': (string);
  'term': (number);
  'logTerm': (number);
  'index': (number);
  'entries': (_concord_raft_v1_Entry__Output)[];
  'commit': (number);
  'reject': (boolean);
  'rejectHint': (number);
  'context': (string);
}
