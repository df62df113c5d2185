// Original file: proto/agent.proto

import type { Long } from '@grpc/proto-loader';

export interface ServerStatus {
  'id'?: (string);
  'name'?: (string);
  'initialized'?: (boolean);
  'voters'?: (string)[];
  'leader'?: (string);
  'term'?: (number | string | Long);
  'lastIndex'?: (number | string | Long);
  'appliedIndex'?: (number | string | Long);
  'lastContactMs'?: (number | string | Long);
}

export interface ServerStatus__Output {
  'id': (string);
  'name': (string);
  'initialized': (boolean);
  'voters': (string)[];
  'leader': (string);
  'term': (number);
  'lastIndex': (number);
  'appliedIndex': (number);
  'lastContactMs': (number);
}
