// Original file: proto/raft.proto

import type { ConfState as _concord_raft_v1_ConfState, ConfState__Output as _concord_raft_v1_ConfState__Output } from '../../../concord/raft/v1/ConfState.js';
import type { Long } from '@grpc/proto-loader';

export interface SnapshotMeta {
  'index'?: (number | string | Long);
  'term'?: (number | string | Long);
  'conf'?: (_concord_raft_v1_ConfState | null);
}

export interface SnapshotMeta__Output {
  'index': (number);
  'term': (number);
  'conf': (_concord_raft_v1_ConfState__Output | null);
}
