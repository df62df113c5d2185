/** Consul's KVS endpoint: reads of one key, a prefix, or the keys under a prefix; writes. */
import { record, str } from '../args.js';
import { queryMethod } from '../method.js';
import { applyMethod } from './apply.js';

export const kvsMethods = {
  'KVS.Get': queryMethod(
    (raw) => ({ key: str(record(raw), 'key') }),
    ({ agent }, { key }) => agent.server.state.kvGet(key),
  ),
  'KVS.List': queryMethod(
    (raw) => ({ prefix: str(record(raw), 'prefix') }),
    ({ agent }, { prefix }) => agent.server.state.kvList(prefix),
  ),
  'KVS.ListKeys': queryMethod(
    (raw) => {
      const r = record(raw);
      return { prefix: str(r, 'prefix'), separator: str(r, 'separator') };
    },
    ({ agent }, { prefix, separator }) => agent.server.state.kvKeys(prefix, separator),
  ),
  'KVS.Apply': applyMethod(['kv']),
};
