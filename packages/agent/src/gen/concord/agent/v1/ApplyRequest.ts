// Original file: proto/agent.proto


export interface ApplyRequest {
  'command'?: (Buffer | Uint8Array | string);
  'hops'?: (number);
}

export interface ApplyRequest__Output {
  'command': (Buffer);
  'hops': (number);
}
