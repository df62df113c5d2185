// Original file: proto/agent.proto


export interface HttpResponse {
  'status'?: (number);
  'headers'?: ({[key: string]: string});
  'body'?: (Buffer | Uint8Array | string);
}

export interface HttpResponse__Output {
  'status': (number);
  'headers': ({[key: string]: string});
  'body': (Buffer);
}
