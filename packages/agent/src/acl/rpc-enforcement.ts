/**
 * ACL enforcement on the server side of the typed RPC, where Consul enforces it: before a method
 * runs, the permission it needs (`checkCall`: writes by their command, fixed reads); after a read
 * ran, what the token may not see is left out (`filterResult`, which says whether anything was).
 * Pure functions of the method name, its arguments, the authorizer and the state.
 */
import type {
  CatalogServiceNode,
  CheckEntry,
  Command,
  CoordinateEntry,
  HealthServiceEntry,
  KvEntry,
  NodeEntry,
  NodeServices,
  PreparedQuery,
  SessionEntry,
  StateStore,
  TxnResult,
} from '@concord/state';
import type { DnsNode, DnsServiceInstance } from '../dns/catalog.js';
import type { Authorizer } from './authorizer.js';
import { permissionDeniedBy } from './resolver.js';
import { txnDenials, visibleTxnResults } from './txn-permissions.js';

type Args = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function serviceOf(state: StateStore, node: string, id: string | undefined): string | undefined {
  return id ? state.servicesOnNode(node).find((s) => s.ID === id)?.Service : undefined;
}

/** Whether a state machine command may be applied with this token (Consul's per-endpoint vetting). */
function commandAllowed(a: Authorizer, c: Command, state: StateStore): boolean {
  switch (c.type) {
    case 'kv': {
      const op = c.op;
      if (op.Verb === 'delete-tree') return a.keyWritePrefix(op.Key);
      return a.keyWrite(op.Key);
    }
    case 'txn':
      return true; // per operation, below
    case 'session-create':
      return a.sessionWrite(c.session.Node);
    case 'session-destroy': {
      const node = state.session(c.id).value[0]?.Node;
      return node === undefined || a.sessionWrite(node);
    }
    case 'register': {
      const reg = c.reg;
      const checks = [reg.Check, ...(reg.Checks ?? [])];
      return (
        (reg.SkipNodeUpdate === true || a.nodeWrite(reg.Node)) &&
        (!reg.Service || a.serviceWrite(reg.Service.Service)) &&
        checks.every((ch) => {
          if (!ch) return true;
          const svc = ch.ServiceID ? (serviceOf(state, reg.Node, ch.ServiceID) ?? reg.Service?.Service ?? '') : undefined;
          return svc !== undefined ? a.serviceWrite(svc) : a.nodeWrite(reg.Node);
        })
      );
    }
    case 'check-status': {
      const check = state.checksOnNode(c.node).find((x) => x.CheckID === c.checkId);
      const svc = serviceOf(state, c.node, check?.ServiceID);
      return svc !== undefined ? a.serviceWrite(svc) : a.nodeWrite(c.node);
    }
    case 'deregister': {
      const d = c.dereg;
      if (d.ServiceID) return a.serviceWrite(serviceOf(state, d.Node, d.ServiceID) ?? '');
      if (d.CheckID) {
        const svc = serviceOf(state, d.Node, state.checksOnNode(d.Node).find((x) => x.CheckID === d.CheckID)?.ServiceID);
        return svc !== undefined ? a.serviceWrite(svc) : a.nodeWrite(d.Node);
      }
      return a.nodeWrite(d.Node);
    }
    case 'coordinate-batch-update':
      return (Array.isArray(c.updates) ? c.updates : []).every((u) => a.nodeWrite(u.Node));
    case 'query-set': {
      const existing = state.preparedQuery(c.query.ID).value?.Name;
      return (!existing || a.queryWrite(existing)) && (!c.query.Name || a.queryWrite(c.query.Name));
    }
    case 'query-delete': {
      const existing = state.preparedQuery(c.id).value?.Name;
      return !existing || a.queryWrite(existing);
    }
    case 'restore':
      return a.snapshot();
    case 'acl-bootstrap':
      // Anyone may ask; the state allows it once (Consul's ACL.BootstrapTokens).
      return true;
    case 'acl-token-set':
    case 'acl-token-delete':
    case 'acl-policy-set':
    case 'acl-policy-delete':
    case 'acl-role-set':
    case 'acl-role-delete':
      return a.aclWrite();
    default:
      // ACL commands and the leader's housekeeping are not applied through these methods.
      return false;
  }
}

/**
 * Throws 403 `Permission denied` when the token may not make the call; answers the txn errors
 * (Consul's per-op `Permission denied`) for a txn, which then is not applied.
 */
export function checkCall(name: string, args: Args, a: Authorizer, state: StateStore, keyListPolicy: boolean): TxnResult | undefined {
  a.clearDenial();
  const command = args.command as Command | undefined;
  if (command && typeof command === 'object') {
    if (command.type === 'txn') {
      const errors = txnDenials(a, command.ops, state);
      return errors.length > 0 ? { Results: null, Errors: errors } : undefined;
    }
    if (!commandAllowed(a, command, state)) throw permissionDeniedBy(a);
    return undefined;
  }
  let ok = true;
  switch (name) {
    case 'KVS.Get':
      ok = a.keyRead(str(args.key));
      break;
    case 'KVS.List':
    case 'KVS.ListKeys':
      ok = !keyListPolicy || a.keyList(str(args.prefix));
      break;
    case 'Txn.Read': {
      const errors = txnDenials(a, Array.isArray(args.ops) ? args.ops : [], state);
      return errors.length > 0 ? { Results: null, Errors: errors } : undefined;
    }
    case 'Session.Renew': {
      const node = state.session(str(args.id)).value[0]?.Node;
      ok = node === undefined || a.sessionWrite(node);
      break;
    }
    case 'Snapshot.Save':
      ok = a.snapshot();
      break;
    case 'Operator.RaftGetConfiguration':
    case 'Operator.AutopilotGetConfiguration':
    case 'Operator.ServerHealth':
      ok = a.operatorRead();
      break;
    case 'Operator.RaftRemovePeer':
    case 'Operator.RaftTransferLeader':
    case 'Operator.AutopilotSetConfiguration':
      ok = a.operatorWrite();
      break;
    case 'Operator.KeyringOperation':
      ok = str(args.op) === 'list' ? a.keyringRead() : a.keyringWrite();
      break;
    case 'ACL.Read':
      // Whoever holds a secret may read its token (Consul's token/self); the rest needs acl read.
      // Replication reads secrets: acl write, as Consul's unredacted token reads.
      ok = args.kind === 'token-secret' || (args.kind === 'global-tokens' ? a.aclWrite() : a.aclRead());
      break;
    case 'Internal.UINodeInfo':
      ok = a.nodeRead(str(args.node));
      break;
  }
  if (!ok) throw permissionDeniedBy(a);
  return undefined;
}

/** A list filter that remembers whether it removed anything. */
class Sieve {
  removed = false;
  keep<T>(items: T[], allowed: (x: T) => boolean): T[] {
    const out = items.filter(allowed);
    if (out.length !== items.length) this.removed = true;
    return out;
  }
}

const checkVisible = (a: Authorizer, c: CheckEntry) => a.nodeRead(c.Node) && (!c.ServiceName || a.serviceRead(c.ServiceName));
const instanceVisible = (a: Authorizer, e: HealthServiceEntry) => a.nodeRead(e.Node.Node) && a.serviceRead(e.Service.Service);
const dnsVisible = (a: Authorizer, i: DnsServiceInstance) => a.serviceRead(i.serviceName) && a.nodeRead(i.node.name);
const queryVisible = (a: Authorizer, q: PreparedQuery) => (q.Name ? a.queryRead(q.Name) : a.aclWrite());

/** A read's value as the token may see it, and whether something was left out. */
export function filterResult(name: string, value: unknown, a: Authorizer): { value: unknown; filtered: boolean } {
  const s = new Sieve();
  let out: unknown = value;
  switch (name) {
    case 'KVS.Get':
      break;
    case 'KVS.List':
      out = s.keep(value as KvEntry[], (e) => a.keyRead(e.Key));
      break;
    case 'KVS.ListKeys':
      out = s.keep(value as string[], (k) => a.keyRead(k));
      break;
    case 'Txn.Read': {
      const r = value as TxnResult;
      if (r.Results) out = { ...r, Results: s.keep(r.Results, (x) => visibleTxnResults(a, [x]).length === 1) };
      break;
    }
    case 'Session.Get':
    case 'Session.List':
    case 'Session.NodeSessions':
      out = s.keep(value as SessionEntry[], (x) => a.sessionRead(x.Node));
      break;
    case 'Catalog.ListNodes':
      out = s.keep(value as NodeEntry[], (n) => a.nodeRead(n.Node));
      break;
    case 'Catalog.ListServices': {
      const entries = Object.entries(value as Record<string, string[]>);
      out = Object.fromEntries(s.keep(entries, ([n]) => a.serviceRead(n)));
      break;
    }
    case 'Catalog.ServiceNodes':
      out = s.keep(value as CatalogServiceNode[], (n) => a.serviceRead(n.ServiceName) && a.nodeRead(n.Node));
      break;
    case 'Catalog.NodeServices': {
      const v = value as NodeServices | null;
      if (!v) break;
      if (!a.nodeRead(v.Node.Node)) {
        s.removed = true;
        out = null;
        break;
      }
      out = { Node: v.Node, Services: Object.fromEntries(s.keep(Object.entries(v.Services), ([, x]) => a.serviceRead(x.Service))) };
      break;
    }
    case 'Health.NodeChecks':
    case 'Health.ServiceChecks':
    case 'Health.ChecksInState':
      out = s.keep(value as CheckEntry[], (c) => checkVisible(a, c));
      break;
    case 'Health.ServiceNodes':
      out = s.keep(value as HealthServiceEntry[], (e) => instanceVisible(a, e));
      break;
    case 'Coordinate.ListNodes':
    case 'Coordinate.Node':
      out = s.keep(value as CoordinateEntry[], (e) => a.nodeRead(e.Node));
      break;
    case 'PreparedQuery.List':
      out = s.keep(value as PreparedQuery[], (q) => queryVisible(a, q));
      break;
    case 'PreparedQuery.Get': {
      const q = value as PreparedQuery | undefined;
      a.clearDenial();
      if (q && !queryVisible(a, q)) throw permissionDeniedBy(a);
      break;
    }
    case 'PreparedQuery.Execute': {
      const r = value as { nodes: HealthServiceEntry[] };
      out = { ...r, nodes: s.keep(r.nodes, (e) => instanceVisible(a, e)) };
      break;
    }
    case 'Internal.NodeState': {
      const v = value as { node: NodeEntry | undefined; services: { Service: string }[]; checks: CheckEntry[]; nodeCount: number };
      const nodeOk = !v.node || a.nodeRead(v.node.Node);
      out = {
        ...v,
        node: nodeOk ? v.node : undefined,
        services: nodeOk ? s.keep(v.services, (x) => a.serviceRead(x.Service)) : [],
        checks: nodeOk ? s.keep(v.checks, (c) => checkVisible(a, c)) : [],
      };
      break;
    }
    case 'Internal.DNSServiceInstances':
      out = s.keep(value as DnsServiceInstance[], (i) => dnsVisible(a, i));
      break;
    case 'Internal.DNSNode': {
      const n = value as DnsNode | null;
      if (n && !a.nodeRead(n.name)) out = null;
      break;
    }
    case 'Internal.DNSNodes':
      out = s.keep(value as DnsNode[], (n) => a.nodeRead(n.name));
      break;
    case 'Internal.DNSPreparedQuery': {
      const r = value as { instances: DnsServiceInstance[] } | null;
      if (r) out = { ...r, instances: s.keep(r.instances, (i) => dnsVisible(a, i)) };
      break;
    }
    case 'Internal.DNSServiceByAddress': {
      const o = value as { service: string } | null;
      if (o && !a.serviceRead(o.service)) out = null;
      break;
    }
    case 'Internal.UIServices':
      out = s.keep(value as { Name: string }[], (x) => a.serviceRead(x.Name));
      break;
    case 'Internal.UINodes':
      out = s.keep(value as { Node: string }[], (x) => a.nodeRead(x.Node));
      break;
  }
  return { value: out, filtered: s.removed };
}
