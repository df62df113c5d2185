import type { Command } from '@concord/state';

/** The timer Consul's server endpoint emits for each kind of write (`kvs.apply`, `catalog.register`, ...). */
export const APPLY_METRIC: Partial<Record<Command['type'], readonly string[]>> = {
  kv: ['kvs', 'apply'],
  txn: ['txn', 'apply'],
  register: ['catalog', 'register'],
  deregister: ['catalog', 'deregister'],
  'session-create': ['session', 'apply'],
  'session-destroy': ['session', 'apply'],
  'check-status': ['catalog', 'register'],
  'coordinate-batch-update': ['coordinate', 'batch-update'],
  'autopilot-set': ['operator', 'autopilot', 'set-configuration'],
  restore: ['snapshot', 'restore'],
};
