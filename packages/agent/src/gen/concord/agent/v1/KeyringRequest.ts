// Original file: proto/agent.proto


export interface KeyringRequest {
  'op'?: (string);
  'key'?: (string);
}

export interface KeyringRequest__Output {
  'op': (string);
  'key': (string);
}
