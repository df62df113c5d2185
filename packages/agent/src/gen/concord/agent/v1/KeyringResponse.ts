// Original file: proto/agent.proto


export interface KeyringResponse {
  'keys'?: (string)[];
  'primary'?: (string);
}

export interface KeyringResponse__Output {
  'keys': (string)[];
  'primary': (string);
}
