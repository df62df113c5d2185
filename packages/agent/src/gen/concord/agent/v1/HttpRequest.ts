// Original file: proto/agent.proto


export interface HttpRequest {
  'method'?: (string);
  'path'?: (string);
  'headers'?: ({[key: string]: string});
  'body'?: (Buffer | Uint8Array | string);
  'hops'?: (number);
}

export interface HttpRequest__Output {
  'method': (string);
  'path': (string);
  'headers': ({[key: string]: string});
  'body': (Buffer);
  'hops': (number);
}
