/**
 * The permission each transaction operation needs, as Consul's Txn endpoint checks them before
 * applying anything: KV writes and checks need key write or read (a tree delete write on the whole
 * prefix), catalog reads node/service read, catalog writes node/service write, session deletes
 * session write on the session's node. Each refused op is an error with Consul's text. KV `get`
 * and `get-tree` are not refused: their results are left out afterwards (`visibleTxnResults`).
 */
import type { KvOp, StateStore, TxnError, TxnOp, TxnResultItem } from '@concord/state';
import { type Authorizer, denialMessage } from './authorizer.js';

const READ_VERBS = new Set(['get', 'get-tree', 'check-index', 'check-session', 'check-not-exists', 'get-or-empty']);

function kvAllowed(a: Authorizer, op: KvOp): boolean {
  if (op.Verb === 'delete-tree') return a.keyWritePrefix(op.Key);
  if (op.Verb === 'get-tree') return a.keyRead(op.Key);
  return READ_VERBS.has(op.Verb) ? a.keyRead(op.Key) : a.keyWrite(op.Key);
}

const FILTERED_VERBS = new Set(['get', 'get-tree']);

function opAllowed(a: Authorizer, op: TxnOp | KvOp, state: StateStore): boolean {
  if ('Verb' in op) return FILTERED_VERBS.has(op.Verb) || kvAllowed(a, op);
  if ('KV' in op) return FILTERED_VERBS.has(op.KV.Verb) || kvAllowed(a, op.KV);
  if ('Node' in op) return op.Node.Verb === 'get' ? a.nodeRead(op.Node.Node.Node) : a.nodeWrite(op.Node.Node.Node);
  if ('Service' in op) {
    const name = op.Service.Service.Service ?? state.servicesOnNode(op.Service.Node).find((s) => s.ID === op.Service.Service.ID)?.Service ?? '';
    return op.Service.Verb === 'get' ? a.serviceRead(name) : a.serviceWrite(name);
  }
  if ('Check' in op) {
    const c = op.Check.Check;
    const service = c.ServiceID ? state.servicesOnNode(c.Node).find((s) => s.ID === c.ServiceID)?.Service : undefined;
    if (op.Check.Verb === 'get') return service !== undefined ? a.serviceRead(service) : a.nodeRead(c.Node);
    return service !== undefined ? a.serviceWrite(service) : a.nodeWrite(c.Node);
  }
  if ('Session' in op) {
    const node = state.session(op.Session.Session.ID).value[0]?.Node;
    return node === undefined || a.sessionWrite(node);
  }
  return false;
}

/** One `Permission denied: ...` error (naming the permission, as Consul's) per operation the token may not run. */
export function txnDenials(a: Authorizer, ops: readonly (TxnOp | KvOp)[], state: StateStore): TxnError[] {
  const errors: TxnError[] = [];
  ops.forEach((op, i) => {
    a.clearDenial();
    if (!opAllowed(a, op, state)) errors.push({ OpIndex: i, What: denialMessage(a.accessorId, a.denial) });
  });
  return errors;
}

/** A txn's results without the KV entries the token may not read (Consul's FilterTxnResults). */
export function visibleTxnResults(a: Authorizer, results: TxnResultItem[]): TxnResultItem[] {
  return results.filter((r) => !('KV' in r) || a.keyRead(r.KV.Key));
}
