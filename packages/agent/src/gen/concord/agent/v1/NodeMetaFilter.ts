// Original file: proto/agent.proto


export interface NodeMetaFilter {
  'key'?: (string);
  'value'?: (string);
}

export interface NodeMetaFilter__Output {
  'key': (string);
  'value': (string);
}
