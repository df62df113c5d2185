// Original file: proto/agent.proto

import type { Long } from '@grpc/proto-loader';

export interface ApplyResponse {
  'index'?: (number | string | Long);
  'result'?: (Buffer | Uint8Array | string);
}

export interface ApplyResponse__Output {
  'index': (number);
  'result': (Buffer);
}
