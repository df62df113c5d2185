// Original file: proto/agent.proto

import type { Consistency as _concord_agent_v1_Consistency, Consistency__Output as _concord_agent_v1_Consistency__Output } from '../../../concord/agent/v1/Consistency.js';
import type { NodeMetaFilter as _concord_agent_v1_NodeMetaFilter, NodeMetaFilter__Output as _concord_agent_v1_NodeMetaFilter__Output } from '../../../concord/agent/v1/NodeMetaFilter.js';
import type { Long } from '@grpc/proto-loader';

export interface QueryOptions {
  'token'?: (string);
  'datacenter'?: (string);
  'consistency'?: (_concord_agent_v1_Consistency);
  'minQueryIndex'?: (number | string | Long);
  'maxQueryTimeMs'?: (number | string | Long);
  'hasMaxStale'?: (boolean);
  'maxStaleMs'?: (number | string | Long);
  'filter'?: (string);
  'nodeMeta'?: (_concord_agent_v1_NodeMetaFilter)[];
  'near'?: (string);
  'originNode'?: (string);
  'hops'?: (number);
  'sourceIp'?: (string);
}

export interface QueryOptions__Output {
  'token': (string);
  'datacenter': (string);
  'consistency': (_concord_agent_v1_Consistency__Output);
  'minQueryIndex': (number);
  'maxQueryTimeMs': (number);
  'hasMaxStale': (boolean);
  'maxStaleMs': (number);
  'filter': (string);
  'nodeMeta': (_concord_agent_v1_NodeMetaFilter__Output)[];
  'near': (string);
  'originNode': (string);
  'hops': (number);
  'sourceIp': (string);
}
