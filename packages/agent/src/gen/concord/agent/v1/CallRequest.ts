// Original file: proto/agent.proto

import type { QueryOptions as _concord_agent_v1_QueryOptions, QueryOptions__Output as _concord_agent_v1_QueryOptions__Output } from '../../../concord/agent/v1/QueryOptions.js';

export interface CallRequest {
  'options'?: (_concord_agent_v1_QueryOptions | null);
  'args'?: (Buffer | Uint8Array | string);
}

export interface CallRequest__Output {
  'options': (_concord_agent_v1_QueryOptions__Output | null);
  'args': (Buffer);
}
