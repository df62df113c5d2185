/** Consul's Txn endpoint: a transaction with writes goes through raft, a read-only one is read. */
import type { TxnOp } from '@concord/state';
import { ArgsError, record } from '../args.js';
import { queryMethod } from '../method.js';
import { applyMethod } from './apply.js';

export const txnMethods = {
  'Txn.Apply': applyMethod(['txn']),
  'Txn.Read': queryMethod(
    (raw) => {
      const ops = record(raw).ops;
      if (!Array.isArray(ops) || ops.length > 4096) throw new ArgsError('ops must be a list');
      return { ops: ops as TxnOp[] };
    },
    ({ agent }, { ops }) => agent.server.state.txnRead(ops),
  ),
};
