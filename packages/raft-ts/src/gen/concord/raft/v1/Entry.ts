// Original file: proto/raft.proto

import type { EntryType as _concord_raft_v1_EntryType, EntryType__Output as _concord_raft_v1_EntryType__Output } from '../../../concord/raft/v1/EntryType.js';
import type { Long } from '@grpc/proto-loader';

export interface Entry {
  'term'?: (number | string | Long);
  'index'?: (number | string | Long);
  'type'?: (_concord_raft_v1_EntryType);
  'data'?: (Buffer | Uint8Array | string);
}

export interface Entry__Output {
  'term': (number);
  'index': (number);
  'type': (_concord_raft_v1_EntryType__Output);
  'data': (Buffer);
}
