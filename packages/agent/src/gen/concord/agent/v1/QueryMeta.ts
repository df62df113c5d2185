// Original file: proto/agent.proto

import type { Consistency as _concord_agent_v1_Consistency, Consistency__Output as _concord_agent_v1_Consistency__Output } from '../../../concord/agent/v1/Consistency.js';
import type { Long } from '@grpc/proto-loader';

export interface QueryMeta {
  'index'?: (number | string | Long);
  'knownLeader'?: (boolean);
  'lastContactMs'?: (number | string | Long);
  'consistency'?: (_concord_agent_v1_Consistency);
  'resultsFilteredByAcls'?: (boolean);
}

export interface QueryMeta__Output {
  'index': (number);
  'knownLeader': (boolean);
  'lastContactMs': (number);
  'consistency': (_concord_agent_v1_Consistency__Output);
  'resultsFilteredByAcls': (boolean);
}
