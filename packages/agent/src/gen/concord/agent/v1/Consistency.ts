// Original file: proto/agent.proto

export const Consistency = {
  LEADER: 'LEADER',
  STALE: 'STALE',
  CONSISTENT: 'CONSISTENT',
} as const;

export type Consistency =
  | 'LEADER'
  | 0
  | 'STALE'
  | 1
  | 'CONSISTENT'
  | 2

export type Consistency__Output = typeof Consistency[keyof typeof Consistency]
