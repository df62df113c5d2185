// Original file: proto/agent.proto

import type { QueryMeta as _concord_agent_v1_QueryMeta, QueryMeta__Output as _concord_agent_v1_QueryMeta__Output } from '../../../concord/agent/v1/QueryMeta.js';

export interface CallReply {
  'meta'?: (_concord_agent_v1_QueryMeta | null);
  'result'?: (Buffer | Uint8Array | string);
}

export interface CallReply__Output {
  'meta': (_concord_agent_v1_QueryMeta__Output | null);
  'result': (Buffer);
}
