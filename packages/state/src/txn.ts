/**
 * Transactions: KV, Node, Service, Check and Session operations applied as one unit, after
 * Consul's `state/txn.go`. Every op runs in order against the state the earlier ops left; an
 * op that fails records a `TxnError` and the run goes on, so the caller sees every failing op
 * (Consul's `txnDispatch`); if any failed, the caller rolls the whole transaction back.
 */
import { deleteCheck, deleteService, deregister, ensureCheck, ensureNode, ensureService, isHealthStatus } from './catalog.js';
import type { ApplyContext } from './data.js';
import { StateError } from './errors.js';
import { applyKvOp } from './kv.js';
import { invalidateSession } from './sessions.js';
import type { CheckEntry, CheckTxnOp, KvOp, NodeEntry, ServiceEntry, NodeTxnOp, ServiceTxnOp, SessionTxnOp, TxnError, TxnOp, TxnResultItem } from './types.js';

/** The limit on operations in one transaction (Consul 1.14+). */
export const MAX_TXN_OPS = 128;

type OpOutcome = { results: TxnResultItem[] } | { error: string };

const done = (results: TxnResultItem[] = []): OpOutcome => ({ results });
const failed = (error: string): OpOutcome => ({ error });

/** A bare KvOp (logs written before the other op kinds existed) is a KV op. */
export function normalizeTxnOp(op: TxnOp | KvOp): TxnOp {
  return 'Verb' in op ? { KV: op } : op;
}

/** Whether an operation changes the state (Consul's `isWrite` and the `Verb != get` rules). */
export function isTxnWrite(op: TxnOp | KvOp): boolean {
  const o = normalizeTxnOp(op);
  if ('KV' in o) return KV_WRITES.has(o.KV.Verb);
  if ('Node' in o) return o.Node.Verb !== 'get';
  if ('Service' in o) return o.Service.Verb !== 'get';
  if ('Check' in o) return o.Check.Verb !== 'get';
  return true;
}

const KV_WRITES: ReadonlySet<string> = new Set(['set', 'cas', 'lock', 'unlock', 'delete', 'delete-tree', 'delete-cas']);

/** Runs every op; returns the results, or every error with its op index. Never rolls back itself. */
export function runTxnOps(ctx: ApplyContext, ops: readonly (TxnOp | KvOp)[]): { results: TxnResultItem[]; errors: TxnError[] } {
  const results: TxnResultItem[] = [];
  const errors: TxnError[] = [];
  for (let i = 0; i < ops.length; i++) {
    let outcome: OpOutcome;
    try {
      outcome = dispatch(ctx, normalizeTxnOp(ops[i] as TxnOp | KvOp));
    } catch (err) {
      if (!(err instanceof StateError)) throw err;
      outcome = failed(err.message);
    }
    if ('error' in outcome) errors.push({ OpIndex: i, What: outcome.error });
    else results.push(...outcome.results);
  }
  return { results, errors };
}

function dispatch(ctx: ApplyContext, op: TxnOp): OpOutcome {
  if (op === null || typeof op !== 'object') return failed('no operation specified');
  if ('KV' in op && op.KV) return kvOp(ctx, op.KV);
  if ('Node' in op && op.Node) return nodeOp(ctx, op.Node);
  if ('Service' in op && op.Service) return serviceOp(ctx, op.Service);
  if ('Check' in op && op.Check) return checkOp(ctx, op.Check);
  if ('Session' in op && op.Session) return sessionOp(ctx, op.Session);
  return failed('no operation specified');
}

function kvOp(ctx: ApplyContext, op: KvOp): OpOutcome {
  const r = applyKvOp(ctx, op);
  if (!r.ok) return failed(r.what ?? 'failed');
  if (!r.entries || op.Verb.startsWith('delete')) return done();
  // A read keeps the value; every other verb answers the entry with its value blanked.
  const reads = op.Verb === 'get' || op.Verb === 'get-or-empty' || op.Verb === 'get-tree';
  return done(r.entries.map((e) => ({ KV: reads ? e : { ...e, Value: null } })));
}

// ------------------------------------------------------------------------------------------
// Nodes

function findNode(ctx: ApplyContext, ref: NodeTxnOp['Node']): NodeEntry | undefined {
  if (ref.ID) {
    const id = ref.ID.toLowerCase();
    for (const n of ctx.data.nodes.values()) if (n.ID.toLowerCase() === id) return n;
    return undefined;
  }
  return ctx.data.nodes.get(ref.Node);
}

function setNode(ctx: ApplyContext, node: NodeTxnOp['Node']): NodeEntry {
  if (!node.Node) throw new StateError('STATE_INVALID_REQUEST', 'Must provide node');
  const holder = node.ID ? findNode(ctx, { Node: '', ID: node.ID }) : undefined;
  if (holder && holder.Node !== node.Node) {
    throw new StateError('STATE_INVALID_REQUEST', `Error while renaming Node ID: "${node.ID}": Node name ${node.Node} is reserved by node ${holder.ID} with name ${holder.Node}`);
  }
  ensureNode(ctx, {
    Node: node.Node,
    ...(node.ID ? { ID: node.ID } : {}),
    Address: node.Address ?? '',
    TaggedAddresses: node.TaggedAddresses ?? {},
    NodeMeta: node.Meta ?? {},
  });
  return ctx.data.nodes.get(node.Node) as NodeEntry;
}

/** What the five catalog verbs need to know about one kind of entry (node, service or check). */
interface CatalogEntryOp<E extends { ModifyIndex: number }> {
  readonly kind: 'Node' | 'Service' | 'Check';
  /** How messages name the entry: `node "n1"`, `service "web" on node "n1"`. */
  readonly label: string;
  readonly verb: string;
  /** The entry `get` reads (nodes may be looked up by ID). */
  readonly found: E | undefined;
  /** The entry the write verbs compare against. */
  readonly existing: E | undefined;
  readonly wantIndex: number;
  readonly set: () => OpOutcome;
  readonly remove: () => void;
  readonly result: (entry: E) => TxnResultItem;
}

/** Consul's get/set/cas/delete/delete-cas rules, shared by nodes, services and checks. */
function catalogVerb<E extends { ModifyIndex: number }>(o: CatalogEntryOp<E>): OpOutcome {
  switch (o.verb) {
    case 'get':
      return o.found ? done([o.result(o.found)]) : failed(`${o.label} doesn't exist`);
    case 'set':
      return o.set();
    case 'cas':
      // 0 means "must not exist yet"; otherwise the entry's ModifyIndex must match.
      if (o.wantIndex !== (o.existing?.ModifyIndex ?? 0)) return failed(`failed to set ${o.label}, index is stale`);
      return o.set();
    case 'delete':
      o.remove();
      return done();
    case 'delete-cas':
      if (!o.existing || o.existing.ModifyIndex !== o.wantIndex) return failed(`failed to delete ${o.label}, index is stale`);
      o.remove();
      return done();
    default:
      return failed(`unknown ${o.kind} verb "${String(o.verb)}"`);
  }
}

function nodeOp(ctx: ApplyContext, op: NodeTxnOp): OpOutcome {
  const node = op.Node ?? { Node: '' };
  const name = node.Node ?? '';
  return catalogVerb<NodeEntry>({
    kind: 'Node',
    label: `node "${name}"`,
    verb: op.Verb,
    found: findNode(ctx, node),
    existing: ctx.data.nodes.get(name),
    wantIndex: node.ModifyIndex ?? 0,
    set: () => done([{ Node: setNode(ctx, node) }]),
    remove: () => deregister(ctx, { Node: name }),
    result: (entry) => ({ Node: entry }),
  });
}

// ------------------------------------------------------------------------------------------
// Services

function serviceOp(ctx: ApplyContext, op: ServiceTxnOp): OpOutcome {
  const node = op.Node ?? '';
  const svc = op.Service ?? { Service: '' };
  const id = svc.ID || svc.Service || '';
  const existing = ctx.data.services.get(node)?.get(id);
  return catalogVerb<ServiceEntry>({
    kind: 'Service',
    label: `service "${id}" on node "${node}"`,
    verb: op.Verb,
    found: existing,
    existing,
    wantIndex: svc.ModifyIndex ?? 0,
    set: () => {
      if (!ctx.data.nodes.has(node)) return failed('Missing node registration');
      if (!svc.Service) return failed('Must provide service name');
      const { ModifyIndex: _ignored, ...reg } = svc;
      ensureService(ctx, node, { ...reg, ID: id });
      return done([{ Service: ctx.data.services.get(node)?.get(id) as ServiceEntry }]);
    },
    remove: () => deleteService(ctx, node, id),
    result: (entry) => ({ Service: entry }),
  });
}

// ------------------------------------------------------------------------------------------
// Checks

function checkOp(ctx: ApplyContext, op: CheckTxnOp): OpOutcome {
  const check = op.Check ?? { Node: '' };
  const node = check.Node ?? '';
  const id = check.CheckID || check.Name || '';
  const existing = ctx.data.checks.get(node)?.get(id);
  return catalogVerb<CheckEntry>({
    kind: 'Check',
    label: `check "${id}" on node "${node}"`,
    verb: op.Verb,
    found: existing,
    existing,
    wantIndex: check.ModifyIndex ?? 0,
    set: () => {
      if (!id) return failed('Must provide check name or ID');
      if (check.Status !== undefined && (check.Status as string) !== '' && !isHealthStatus(check.Status)) {
        return failed('Check status must be one of passing, warning, critical');
      }
      if (!ctx.data.nodes.has(node)) return failed('Missing node registration');
      if (check.ServiceID && !ctx.data.services.get(node)?.has(check.ServiceID)) return failed('Missing service registration');
      const { ModifyIndex: _ignored, Node: _node, ...reg } = check;
      ensureCheck(ctx, node, { ...reg, CheckID: id });
      return done([{ Check: ctx.data.checks.get(node)?.get(id) as CheckEntry }]);
    },
    remove: () => deleteCheck(ctx, node, id),
    result: (entry) => ({ Check: entry }),
  });
}

// ------------------------------------------------------------------------------------------
// Sessions

function sessionOp(ctx: ApplyContext, op: SessionTxnOp): OpOutcome {
  if (op.Verb !== 'delete') return failed(`failed to delete session: unknown Session verb "${String(op.Verb)}"`);
  const id = op.Session?.ID ?? '';
  // Destroying a session releases (or deletes) what it holds, as /v1/session/destroy does.
  if (!invalidateSession(ctx, id)) return failed('failed to delete session: failed deleting session: not found');
  return done();
}
