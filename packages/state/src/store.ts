import {
  aclPolicyByName,
  aclRoleByName,
  bootstrapAcl,
  deleteAclPolicy,
  deleteAclRole,
  deleteAclToken,
  initAcl,
  namedLinks,
  replicateAcl,
  setAclPolicy,
  setAclRole,
  setAclToken,
} from './acl.js';
import { AUTOPILOT_TOPIC, setAutopilotConfig } from './autopilot.js';
import { deregister, register, updateCheckStatus } from './catalog.js';
import { coordinateBatchUpdate, coordinateEntries } from './coordinates.js';
import { ApplyContext, type StateData, emptyData } from './data.js';
import { StateError } from './errors.js';
import { applyKvOp, kvKeyList, kvList, kvPrefixIndex, kvTableIndex, reapTombstones } from './kv.js';
import { createSession, invalidateSession, pruneLockDelays } from './sessions.js';
import { deletePreparedQuery, filterQueryNodes, listPreparedQueries, resolvePreparedQuery, restorePreparedQueries, setPreparedQuery } from './prepared-queries.js';
import type {
  AclPolicy,
  AclRole,
  AclToken,
  AutopilotConfigEntry,
  CheckEntry,
  Command,
  CoordinateEntry,
  HealthStatus,
  KvEntry,
  KvOp,
  NodeEntry,
  PreparedQuery,
  QuerySource,
  ServiceEntry,
  SessionEntry,
  TxnOp,
  TxnResult,
} from './types.js';
import { MAX_TXN_OPS, runTxnOps } from './txn.js';
import { capturedSnapshotPieces, snapshotJsonPieces, snapshotToBytes } from './snapshot-bytes.js';
import { SortedEntries } from './sorted-keys.js';
import { type TableName, WatchHub, topics } from './watch-hub.js';

export { MAX_TXN_OPS } from './txn.js';

export interface ApplyResult {
  /** The command's answer: a boolean for KV writes, a TxnResult for txns, a session for creates. */
  value: unknown;
  /** Set when the command was rejected as invalid; the state is unchanged. */
  error?: StateError;
}

/** A query answer: the data, the index that represents it and the watch topics it read. */
export interface QueryResult<T> {
  value: T;
  index: number;
  topics: string[];
}

export interface CatalogServiceNode {
  ID: string;
  Node: string;
  Address: string;
  Datacenter: string;
  TaggedAddresses: Record<string, string>;
  NodeMeta: Record<string, string>;
  ServiceKind: string;
  ServiceID: string;
  ServiceName: string;
  ServiceTags: string[];
  ServiceAddress: string;
  ServiceTaggedAddresses?: Record<string, { Address: string; Port: number }>;
  ServiceWeights: { Passing: number; Warning: number };
  ServiceMeta: Record<string, string>;
  ServicePort: number;
  ServiceEnableTagOverride: boolean;
  ServiceProxy: Record<string, unknown>;
  ServiceConnect: Record<string, unknown>;
  CreateIndex: number;
  ModifyIndex: number;
}

export interface HealthServiceEntry {
  Node: NodeEntry;
  Service: ServiceEntry;
  Checks: CheckEntry[];
}

export interface NodeServices {
  Node: NodeEntry;
  Services: Record<string, ServiceEntry>;
}

export interface StateSnapshot {
  version: 1;
  index: number;
  datacenter: string;
  kv: KvEntry[];
  tombstones: [string, number][];
  lockDelays: [string, number][];
  sessions: SessionEntry[];
  nodes: NodeEntry[];
  services: [string, ServiceEntry][];
  checks: CheckEntry[];
  serviceIndexes: [string, number][];
  tableIndexes: [TableName, number][];
  /** Absent in snapshots taken before coordinates were kept. */
  coordinates?: CoordinateEntry[];
  /** Absent in snapshots taken before prepared queries were kept. */
  queries?: PreparedQuery[];
  /** Autopilot's settings; absent when none were stored. */
  autopilot?: AutopilotConfigEntry;
  /** The ACL tables; absent in snapshots taken before ACLs were kept. */
  acl?: AclSnapshot;
}

export interface AclSnapshot {
  tokens: AclToken[];
  policies: AclPolicy[];
  roles: AclRole[];
  bootstrapIndex?: number;
}

/** Filters of a token list (Consul's `/v1/acl/tokens?policy=&role=&servicename=`). */
export interface AclTokenFilter {
  policy?: string;
  role?: string;
  /** Only tokens with a service identity for this service. */
  serviceName?: string;
}

const byNode = (a: { Node: string }, b: { Node: string }) => (a.Node < b.Node ? -1 : a.Node > b.Node ? 1 : 0);

/**
 * The replicated state machine: KV, sessions, transactions, catalog and health. Pure and
 * synchronous: `apply(index, command)` is deterministic, so every replica ends identical.
 */
export class StateStore {
  #data: StateData;
  #lastIndex = 0;
  readonly #hub = new WatchHub();

  constructor(options: { datacenter?: string } = {}) {
    this.#data = emptyData(options.datacenter ?? 'dc1');
  }

  get datacenter(): string {
    return this.#data.datacenter;
  }

  /** The index of the last applied command. */
  get lastIndex(): number {
    return this.#lastIndex;
  }

  /** Number of active watchers (for metrics and tests). */
  get watcherCount(): number {
    return this.#hub.size;
  }

  /** Calls `cb` once when any of `topicList` changes; returns a cancel function. */
  watch(topicList: readonly string[], cb: () => void): () => void {
    return this.#hub.watch(topicList, cb);
  }

  apply(index: number, command: Command): ApplyResult {
    if (index <= this.#lastIndex) {
      throw new StateError('STATE_INVALID_REQUEST', `index ${index} is not after ${this.#lastIndex}`);
    }
    this.#lastIndex = index;
    const ctx = new ApplyContext(this.#data, index, command.time ?? 0);
    let result: ApplyResult;
    try {
      result = { value: this.#dispatch(ctx, command) };
    } catch (err) {
      if (!(err instanceof StateError)) throw err;
      ctx.rollback();
      return { value: false, error: err };
    }
    this.#hub.notify(ctx.touched);
    return result;
  }

  #dispatch(ctx: ApplyContext, command: Command): unknown {
    switch (command.type) {
      case 'kv':
        // Not journaled: a KV verb either fails before it changes anything or does not fail.
        return applyKvOp(ctx, command.op).ok;
      case 'txn':
        return this.#txn(ctx, command.ops);
      case 'session-create':
        return createSession(ctx, command.session);
      case 'session-destroy':
        invalidateSession(ctx, command.id);
        if (command.time) pruneLockDelays(this.#data, command.time);
        return true;
      case 'register':
        ctx.beginJournal();
        register(ctx, command.reg);
        return true;
      case 'deregister':
        deregister(ctx, command.dereg);
        return true;
      case 'check-status':
        ctx.beginJournal();
        updateCheckStatus(ctx, command.node, command.checkId, command.status, command.output);
        return true;
      case 'coordinate-batch-update':
        return coordinateBatchUpdate(ctx, Array.isArray(command.updates) ? command.updates : []);
      case 'query-set':
        ctx.beginJournal();
        return setPreparedQuery(ctx, command.query, command.op);
      case 'query-delete':
        ctx.beginJournal();
        deletePreparedQuery(ctx, command.id);
        return true;
      case 'tombstone-reap':
        return reapTombstones(this.#data, command.upTo);
      case 'autopilot-set':
        return setAutopilotConfig(ctx, command.config, command.cas);
      case 'acl-token-set':
        ctx.beginJournal();
        return this.#namedToken(setAclToken(ctx, command.token, command.op));
      case 'acl-token-delete':
        return deleteAclToken(ctx, command.accessorId);
      case 'acl-policy-set':
        ctx.beginJournal();
        return setAclPolicy(ctx, command.policy, command.op);
      case 'acl-policy-delete':
        return deleteAclPolicy(ctx, command.id);
      case 'acl-role-set':
        ctx.beginJournal();
        return this.#namedRole(setAclRole(ctx, command.role, command.op));
      case 'acl-role-delete':
        return deleteAclRole(ctx, command.id);
      case 'acl-bootstrap':
        ctx.beginJournal();
        return this.#namedToken(bootstrapAcl(ctx, command.token, command.resetIndex));
      case 'acl-init':
        ctx.beginJournal();
        return initAcl(ctx, command.policies, command.tokens);
      case 'acl-replicate':
        ctx.beginJournal();
        return replicateAcl(ctx, command);
      case 'restore':
        // Indexes inside the snapshot are kept; the command's own index stays the last applied.
        if (command.snapshot?.datacenter !== this.#data.datacenter) {
          throw new StateError('STATE_INVALID_REQUEST', `snapshot is of datacenter ${JSON.stringify(command.snapshot?.datacenter)}, not ${this.#data.datacenter}`);
        }
        this.restore({ ...command.snapshot, index: ctx.index });
        return true;
      default:
        throw new StateError('STATE_UNKNOWN_COMMAND', `unknown command ${JSON.stringify((command as Command).type)}`);
    }
  }

  #txn(ctx: ApplyContext, ops: readonly (TxnOp | KvOp)[]): TxnResult {
    if (!Array.isArray(ops)) throw new StateError('STATE_INVALID_REQUEST', 'Transaction ops must be a list');
    if (ops.length > MAX_TXN_OPS) {
      throw new StateError('STATE_INVALID_REQUEST', `Transaction contains too many operations (${ops.length} > ${MAX_TXN_OPS})`);
    }
    ctx.beginJournal();
    const { results, errors } = runTxnOps(ctx, ops);
    if (errors.length > 0) {
      ctx.rollback();
      return { Results: null, Errors: errors };
    }
    return { Results: results, Errors: null };
  }

  // -------------------------------------------------------------------------------------------
  // KV queries

  /**
   * One key. As Consul's `KVS.Get`: an existing key answers its own ModifyIndex (so a watcher
   * passing the body's ModifyIndex blocks until that key changes), a missing key the KV table
   * index (deletes included, so a deletion always moves it past the old ModifyIndex).
   */
  kvGet(key: string): QueryResult<KvEntry | undefined> {
    const value = this.#data.kv.get(key);
    return { value, index: value ? value.ModifyIndex : kvTableIndex(this.#data), topics: [topics.kvKey(key)] };
  }

  kvList(prefix: string): QueryResult<KvEntry[]> {
    return {
      value: kvList(this.#data, prefix),
      index: kvPrefixIndex(this.#data, prefix),
      topics: [topics.kvPrefix(prefix)],
    };
  }

  kvKeys(prefix: string, separator = ''): QueryResult<string[]> {
    return {
      value: kvKeyList(this.#data, prefix, separator),
      index: kvPrefixIndex(this.#data, prefix),
      topics: [topics.kvPrefix(prefix)],
    };
  }

  /** Wall-clock ms until which `acquire` on `key` is refused, if a lock-delay is in force. */
  lockDelayUntil(key: string): number | undefined {
    return this.#data.lockDelays.get(key);
  }

  /** Number of tombstones not yet reaped. */
  tombstoneCount(): number {
    return this.#data.tombstones.size;
  }

  /** Txn read-only evaluation (no write ops): runs against the current state without changing it. */
  txnRead(ops: readonly (TxnOp | KvOp)[]): QueryResult<TxnResult> {
    const ctx = new ApplyContext(this.#data, this.#lastIndex, 0);
    const value = this.#txn(ctx, ops);
    ctx.rollback();
    return { value, index: kvTableIndex(this.#data), topics: [] };
  }

  // -------------------------------------------------------------------------------------------
  // Sessions

  session(id: string): QueryResult<SessionEntry[]> {
    const s = this.#data.sessions.get(id);
    return { value: s ? [s] : [], index: this.#tableIndex('sessions'), topics: [topics.table('sessions')] };
  }

  sessions(): QueryResult<SessionEntry[]> {
    const value = [...this.#data.sessions.values()].sort((a, b) => a.CreateIndex - b.CreateIndex);
    return { value, index: this.#tableIndex('sessions'), topics: [topics.table('sessions')] };
  }

  nodeSessions(node: string): QueryResult<SessionEntry[]> {
    const value = this.sessions().value.filter((s) => s.Node === node);
    return { value, index: this.#tableIndex('sessions'), topics: [topics.table('sessions')] };
  }

  // -------------------------------------------------------------------------------------------
  // Catalog

  /** The index of the last change to any ACL table (tokens, policies, roles): a token's resolution is unchanged while it is. */
  aclIndex(): number {
    return Math.max(this.#tableIndex('acl-tokens'), this.#tableIndex('acl-policies'), this.#tableIndex('acl-roles'));
  }

  #tableIndex(table: TableName): number {
    return this.#data.tableIndexes.get(table) ?? 0;
  }

  #serviceIndex(name: string): number {
    return this.#data.serviceIndexes.get(name) ?? this.#tableIndex('services');
  }

  /** A known service is watched on its own index; an unknown one on the services table, like its index. */
  #serviceTopics(name: string): string[] {
    return this.#data.serviceIndexes.has(name) ? [topics.service(name)] : [topics.service(name), topics.table('services')];
  }

  nodes(): QueryResult<NodeEntry[]> {
    const value = [...this.#data.nodes.values()].sort(byNode);
    return { value, index: this.#tableIndex('nodes'), topics: [topics.table('nodes')] };
  }

  node(name: string): NodeEntry | undefined {
    return this.#data.nodes.get(name);
  }

  /** Service name → distinct tags of all its instances. */
  services(): QueryResult<Record<string, string[]>> {
    const names = [...this.#data.serviceInstances.keys()].sort();
    const value: Record<string, string[]> = {};
    for (const name of names) {
      const tags = new Set<string>();
      for (const [, svc] of this.#instances(name)) for (const t of svc.Tags) tags.add(t);
      value[name] = [...tags].sort();
    }
    return { value, index: this.#tableIndex('services'), topics: [topics.table('services')] };
  }

  *#instances(name: string): IterableIterator<[NodeEntry, ServiceEntry]> {
    const keys = [...(this.#data.serviceInstances.get(name) ?? [])].sort();
    for (const k of keys) {
      const sep = k.indexOf('\u0000');
      const nodeName = k.slice(0, sep);
      const node = this.#data.nodes.get(nodeName);
      const svc = this.#data.services.get(nodeName)?.get(k.slice(sep + 1));
      if (node && svc) yield [node, svc];
    }
  }

  serviceNodes(name: string, tags: readonly string[] = []): QueryResult<CatalogServiceNode[]> {
    const value: CatalogServiceNode[] = [];
    for (const [node, svc] of this.#instances(name)) {
      if (!hasTags(svc, tags)) continue;
      value.push({
        ID: node.ID,
        Node: node.Node,
        Address: node.Address,
        Datacenter: node.Datacenter,
        TaggedAddresses: node.TaggedAddresses,
        NodeMeta: node.Meta,
        ServiceKind: svc.Kind ?? '',
        ServiceID: svc.ID,
        ServiceName: svc.Service,
        ServiceTags: svc.Tags,
        ServiceAddress: svc.Address,
        ...(svc.TaggedAddresses ? { ServiceTaggedAddresses: svc.TaggedAddresses } : {}),
        ServiceWeights: svc.Weights,
        ServiceMeta: svc.Meta,
        ServicePort: svc.Port,
        ServiceEnableTagOverride: svc.EnableTagOverride,
        ServiceProxy: {},
        ServiceConnect: {},
        CreateIndex: svc.CreateIndex,
        ModifyIndex: svc.ModifyIndex,
      });
    }
    return { value, index: this.#serviceIndex(name), topics: this.#serviceTopics(name) };
  }

  nodeServices(name: string): QueryResult<NodeServices | null> {
    const node = this.#data.nodes.get(name);
    const index = Math.max(this.#tableIndex('nodes'), this.#tableIndex('services'));
    const watch = [topics.node(name), topics.table('nodes')];
    if (!node) return { value: null, index, topics: watch };
    const services: Record<string, ServiceEntry> = {};
    const svcMap = this.#data.services.get(name);
    for (const id of [...(svcMap?.keys() ?? [])].sort()) services[id] = svcMap?.get(id) as ServiceEntry;
    return { value: { Node: node, Services: services }, index, topics: watch };
  }

  /** Services registered on a node (by service ID), for agents and anti-entropy. */
  servicesOnNode(node: string): ServiceEntry[] {
    return [...(this.#data.services.get(node)?.values() ?? [])];
  }

  checksOnNode(node: string): CheckEntry[] {
    return [...(this.#data.checks.get(node)?.values() ?? [])];
  }

  // -------------------------------------------------------------------------------------------
  // Coordinates

  /** Every node's LAN coordinates, by node then segment (Consul's `Coordinates`). */
  coordinates(): QueryResult<CoordinateEntry[]> {
    return { value: coordinateEntries(this.#data), index: this.#tableIndex('coordinates'), topics: [topics.table('coordinates')] };
  }

  /** One node's coordinates, one entry per segment; empty when it has none. */
  nodeCoordinates(node: string): QueryResult<CoordinateEntry[]> {
    return { value: coordinateEntries(this.#data, node), index: this.#tableIndex('coordinates'), topics: [topics.table('coordinates')] };
  }

  // -------------------------------------------------------------------------------------------
  // Health

  nodeChecks(node: string): QueryResult<CheckEntry[]> {
    const value = [...(this.#data.checks.get(node)?.values() ?? [])].sort(byCheckId);
    return { value, index: this.#tableIndex('checks'), topics: [topics.node(node), topics.table('nodes')] };
  }

  serviceChecks(name: string): QueryResult<CheckEntry[]> {
    const value: CheckEntry[] = [];
    for (const [node, svc] of this.#instances(name)) {
      const own = [...(this.#data.checks.get(node.Node)?.values() ?? [])].filter((c) => c.ServiceID === svc.ID);
      value.push(...own.sort(byCheckId));
    }
    return { value, index: this.#serviceIndex(name), topics: this.#serviceTopics(name) };
  }

  checksInState(state: HealthStatus | 'any'): QueryResult<CheckEntry[]> {
    const value: CheckEntry[] = [];
    const nodes = [...this.#data.checks.keys()].sort();
    for (const n of nodes) {
      for (const c of [...(this.#data.checks.get(n)?.values() ?? [])].sort(byCheckId)) {
        if (state === 'any' || c.Status === state) value.push(c);
      }
    }
    return { value, index: this.#tableIndex('checks'), topics: [topics.table('checks')] };
  }

  healthService(name: string, options: { tags?: readonly string[]; passing?: boolean } = {}): QueryResult<HealthServiceEntry[]> {
    const value: HealthServiceEntry[] = [];
    for (const [node, svc] of this.#instances(name)) {
      if (!hasTags(svc, options.tags ?? [])) continue;
      const checks: CheckEntry[] = [];
      for (const c of this.#data.checks.get(node.Node)?.values() ?? []) {
        if (c.ServiceID === '' || c.ServiceID === svc.ID) checks.push(c);
      }
      checks.sort((a, b) => (a.ServiceID === b.ServiceID ? byCheckId(a, b) : a.ServiceID === '' ? -1 : 1));
      if (options.passing && checks.some((c) => c.Status !== 'passing')) continue;
      value.push({ Node: node, Service: svc, Checks: checks });
    }
    return { value, index: this.#serviceIndex(name), topics: this.#serviceTopics(name) };
  }

  // -------------------------------------------------------------------------------------------
  // Prepared queries

  /** Every prepared query, by ID. */
  preparedQueries(): QueryResult<PreparedQuery[]> {
    return { value: listPreparedQueries(this.#data), index: this.#tableIndex('prepared-queries'), topics: [topics.table('prepared-queries')] };
  }

  /** One prepared query by its ID (no name lookup, no rendering: Consul's `PreparedQueryGet`). */
  preparedQuery(id: string): QueryResult<PreparedQuery | undefined> {
    return { value: this.#data.queries.get(id), index: this.#tableIndex('prepared-queries'), topics: [topics.table('prepared-queries')] };
  }

  /**
   * The query answering an ID or a name: a query by that ID (never a template), else the query of
   * that name, else the template whose name is the longest prefix of it, rendered for it.
   * Throws StateError for an empty name, a template asked by ID or a failed render.
   */
  resolvePreparedQuery(idOrName: string, source: QuerySource = { Segment: '' }): QueryResult<PreparedQuery | undefined> {
    return {
      value: resolvePreparedQuery(this.#data, idOrName, source),
      index: this.#tableIndex('prepared-queries'),
      topics: [topics.table('prepared-queries')],
    };
  }

  /**
   * The local instances a (resolved) query selects, in catalog order: health per the query's
   * OnlyPassing and IgnoreCheckIDs, then NodeMeta, ServiceMeta and Tags (`!tag` excludes).
   * Ordering (shuffle, Near) and Limit are the caller's.
   */
  preparedQueryNodes(query: PreparedQuery): QueryResult<HealthServiceEntry[]> {
    // service names match case-insensitively, as in Consul's catalog
    let name = query.Service.Service;
    if (!this.#data.serviceInstances.has(name)) {
      const lower = name.toLowerCase();
      name = [...this.#data.serviceInstances.keys()].sort().find((k) => k.toLowerCase() === lower) ?? name;
    }
    const health = this.healthService(name);
    return {
      value: filterQueryNodes(query, health.value),
      index: Math.max(health.index, this.#tableIndex('prepared-queries')),
      topics: [...health.topics, topics.table('prepared-queries')],
    };
  }

  // -------------------------------------------------------------------------------------------
  // Autopilot

  /** Autopilot's stored settings (undefined until stored), with the index of their last change. */
  autopilotConfig(): QueryResult<AutopilotConfigEntry | undefined> {
    const value = this.#data.autopilot;
    return { value: value && { ...value }, index: value?.ModifyIndex ?? 0, topics: [AUTOPILOT_TOPIC] };
  }

  // -------------------------------------------------------------------------------------------
  // ACLs

  /** The index of the last change to one ACL table (0 while it was never written). */
  aclTableIndex(table: 'acl-tokens' | 'acl-policies' | 'acl-roles'): number {
    return this.#tableIndex(table);
  }

  #namedToken(t: AclToken): AclToken {
    return { ...t, Policies: namedLinks(t.Policies, this.#data.aclPolicies), Roles: namedLinks(t.Roles, this.#data.aclRoles) };
  }

  #namedRole(r: AclRole): AclRole {
    return { ...r, Policies: namedLinks(r.Policies, this.#data.aclPolicies) };
  }

  #aclResult<T>(value: T, table: 'acl-tokens' | 'acl-policies' | 'acl-roles'): QueryResult<T> {
    return { value, index: this.#tableIndex(table), topics: [topics.table(table)] };
  }

  /** One token by accessor ID, its links named. */
  aclToken(accessorId: string): QueryResult<AclToken | undefined> {
    const t = this.#data.aclTokens.get(accessorId);
    return this.#aclResult(t && this.#namedToken(t), 'acl-tokens');
  }

  /** One token by secret (what a request presents). */
  aclTokenBySecret(secret: string): QueryResult<AclToken | undefined> {
    const id = this.#data.aclSecrets.get(secret);
    return this.aclToken(id ?? '');
  }

  /** Every token (by accessor ID, as Consul lists them), optionally only those linking a policy or role ID. */
  aclTokens(filter: AclTokenFilter = {}): QueryResult<AclToken[]> {
    const value: AclToken[] = [];
    for (const t of this.#data.aclTokens.values()) {
      if (filter.policy && !t.Policies.some((l) => l.ID === filter.policy)) continue;
      if (filter.role && !t.Roles.some((l) => l.ID === filter.role)) continue;
      if (filter.serviceName && !(t.ServiceIdentities ?? []).some((i) => i.ServiceName === filter.serviceName)) continue;
      value.push(this.#namedToken(t));
    }
    value.sort((a, b) => (a.AccessorID < b.AccessorID ? -1 : a.AccessorID > b.AccessorID ? 1 : 0));
    return this.#aclResult(value, 'acl-tokens');
  }

  aclPolicy(id: string): QueryResult<AclPolicy | undefined> {
    return this.#aclResult(this.#data.aclPolicies.get(id), 'acl-policies');
  }

  aclPolicyByName(name: string): QueryResult<AclPolicy | undefined> {
    return this.#aclResult(aclPolicyByName(this.#data, name), 'acl-policies');
  }

  /** Every policy, by ID (as Consul lists them). */
  aclPolicies(): QueryResult<AclPolicy[]> {
    const value = [...this.#data.aclPolicies.values()].sort((a, b) => (a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0));
    return this.#aclResult(value, 'acl-policies');
  }

  aclRole(id: string): QueryResult<AclRole | undefined> {
    const r = this.#data.aclRoles.get(id);
    return this.#aclResult(r && this.#namedRole(r), 'acl-roles');
  }

  aclRoleByName(name: string): QueryResult<AclRole | undefined> {
    const r = aclRoleByName(this.#data, name);
    return this.#aclResult(r && this.#namedRole(r), 'acl-roles');
  }

  /** Every role (by ID, as Consul lists them), optionally only those linking a policy ID. */
  aclRoles(filter: { policy?: string } = {}): QueryResult<AclRole[]> {
    const value = [...this.#data.aclRoles.values()]
      .filter((r) => !filter.policy || r.Policies.some((l) => l.ID === filter.policy))
      .sort((a, b) => (a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0))
      .map((r) => this.#namedRole(r));
    return this.#aclResult(value, 'acl-roles');
  }

  /** The index the ACL system was bootstrapped at, or undefined before the bootstrap. */
  aclBootstrapIndex(): number | undefined {
    return this.#data.aclBootstrapIndex;
  }

  // -------------------------------------------------------------------------------------------
  // Snapshot and restore

  snapshot(): StateSnapshot {
    return structuredClone(this.#snapshotView());
  }

  /**
   * The snapshot serialized as JSON, without the intermediate deep copy `snapshot()` makes
   * (what a log compaction stores); `restore(JSON.parse(...))` reads it back.
   */
  snapshotJson(): string {
    return JSON.stringify(this.#snapshotView());
  }

  /**
   * The same JSON as bytes, built without one string holding it all (a store past ~1.2 million
   * 256-byte values would exceed V8's longest string); `snapshotFromBytes` reads it back.
   */
  snapshotBytes(): Buffer {
    return snapshotToBytes(this.#snapshotView());
  }

  /**
   * The same bytes as `snapshotBytes`, a piece of about a MiB at a time, of the state as it is
   * now: writes applied while the pieces are taken do not show in them. The call copies the KV
   * index's chunks of entry references (milliseconds at a million keys; entries are immutable, a
   * write replaces one) and serializes everything else; the entries are encoded as the pieces are
   * taken, so a caller can yield to other work between pieces.
   */
  snapshotPieces(): Iterable<Buffer> {
    const d = this.#data;
    return capturedSnapshotPieces(this.#snapshotView([]), d.kvKeys.size, flatten(d.kvKeys.chunkCopies()));
  }

  /** `snapshotJson()` in pieces, of the state as it is now (a copy of the KV entry references). */
  snapshotJsonPieces(): { index: number; datacenter: string; pieces: Iterable<string> } {
    const view = this.#snapshotView();
    return { index: view.index, datacenter: view.datacenter, pieces: snapshotJsonPieces(view) };
  }

  /** The snapshot's shape over the live data: callers copy or serialize it at once. */
  #snapshotView(kv: KvEntry[] = this.#kvEntries()): StateSnapshot {
    const d = this.#data;
    const services: [string, ServiceEntry][] = [];
    for (const [node, m] of d.services) for (const s of m.values()) services.push([node, s]);
    const checks: CheckEntry[] = [];
    for (const m of d.checks.values()) for (const c of m.values()) checks.push(c);
    return {
      version: 1,
      index: this.#lastIndex,
      datacenter: d.datacenter,
      kv,
      tombstones: [...d.tombstones].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      lockDelays: [...d.lockDelays].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      sessions: [...d.sessions.values()].sort((a, b) => (a.ID < b.ID ? -1 : 1)),
      nodes: [...d.nodes.values()].sort(byNode),
      services: services.sort(([a, x], [b, y]) => (a === b ? (x.ID < y.ID ? -1 : 1) : a < b ? -1 : 1)),
      checks: checks.sort((a, b) => (a.Node === b.Node ? byCheckId(a, b) : a.Node < b.Node ? -1 : 1)),
      serviceIndexes: [...d.serviceIndexes].sort(([a], [b]) => (a < b ? -1 : 1)),
      tableIndexes: [...d.tableIndexes].sort(([a], [b]) => (a < b ? -1 : 1)),
      coordinates: coordinateEntries(d),
      queries: listPreparedQueries(d),
      ...(d.autopilot ? { autopilot: d.autopilot } : {}),
      acl: {
        tokens: [...d.aclTokens.values()].sort((a, b) => (a.AccessorID < b.AccessorID ? -1 : 1)),
        policies: [...d.aclPolicies.values()].sort((a, b) => (a.ID < b.ID ? -1 : 1)),
        roles: [...d.aclRoles.values()].sort((a, b) => (a.ID < b.ID ? -1 : 1)),
        ...(d.aclBootstrapIndex !== undefined ? { bootstrapIndex: d.aclBootstrapIndex } : {}),
      },
    } satisfies StateSnapshot;
  }

  #kvEntries(): KvEntry[] {
    const d = this.#data;
    return d.kvKeys.all();
  }

  /** Replaces the whole state. Every watcher wakes (indexes may move backwards). */
  restore(snap: StateSnapshot): void {
    this.#restore(structuredClone(snap));
  }

  /**
   * `restore` of a snapshot the caller hands over and never touches again (one just parsed from
   * bytes): the store keeps its objects instead of deep-copying them first (a million KV entries
   * take seconds to copy, and twice the memory meanwhile).
   */
  restoreOwned(snap: StateSnapshot): void {
    this.#restore(snap);
  }

  #restore(s: StateSnapshot): void {
    if (s.version !== 1) throw new StateError('STATE_INVALID_REQUEST', `unsupported snapshot version ${s.version}`);
    const d = emptyData(s.datacenter);
    // a snapshot's keys come in order: the sorted index is built at once rather than key by key
    const sorted = SortedEntries.fromSorted(s.kv);
    if (sorted) d.kvKeys = sorted;
    else for (const e of s.kv) d.kvKeys.add(e);
    for (const e of s.kv) {
      d.kv.set(e.Key, e);
      if (e.Session) {
        let set = d.sessionKeys.get(e.Session);
        if (!set) d.sessionKeys.set(e.Session, (set = new Set()));
        set.add(e.Key);
      }
    }
    for (const [k, i] of s.tombstones) {
      d.tombstones.set(k, i);
      d.tombstoneKeys.add(k);
    }
    for (const [k, t] of s.lockDelays) d.lockDelays.set(k, t);
    for (const x of s.sessions) d.sessions.set(x.ID, x);
    for (const n of s.nodes) d.nodes.set(n.Node, n);
    for (const [node, svc] of s.services) {
      let m = d.services.get(node);
      if (!m) d.services.set(node, (m = new Map()));
      m.set(svc.ID, svc);
      let inst = d.serviceInstances.get(svc.Service);
      if (!inst) d.serviceInstances.set(svc.Service, (inst = new Set()));
      inst.add(`${node}\u0000${svc.ID}`);
    }
    for (const c of s.checks) {
      let m = d.checks.get(c.Node);
      if (!m) d.checks.set(c.Node, (m = new Map()));
      m.set(c.CheckID, c);
    }
    for (const [n, i] of s.serviceIndexes) d.serviceIndexes.set(n, i);
    for (const [t, i] of s.tableIndexes) d.tableIndexes.set(t, i);
    for (const c of s.coordinates ?? []) {
      let segments = d.coordinates.get(c.Node);
      if (!segments) d.coordinates.set(c.Node, (segments = new Map()));
      segments.set(c.Segment, c.Coord);
    }
    restorePreparedQueries(d, s.queries ?? []);
    d.autopilot = s.autopilot;
    for (const t of s.acl?.tokens ?? []) {
      d.aclTokens.set(t.AccessorID, t);
      d.aclSecrets.set(t.SecretID, t.AccessorID);
    }
    for (const p of s.acl?.policies ?? []) d.aclPolicies.set(p.ID, p);
    for (const r of s.acl?.roles ?? []) d.aclRoles.set(r.ID, r);
    d.aclBootstrapIndex = s.acl?.bootstrapIndex;
    this.#data = d;
    this.#lastIndex = s.index;
    this.#hub.notifyAll();
  }
}

function* flatten<T>(chunks: readonly (readonly T[])[]): Generator<T> {
  for (const c of chunks) yield* c;
}

function hasTags(svc: ServiceEntry, tags: readonly string[]): boolean {
  for (const t of tags) if (!svc.Tags.some((x) => x.toLowerCase() === t.toLowerCase())) return false;
  return true;
}

function byCheckId(a: CheckEntry, b: CheckEntry): number {
  return a.CheckID < b.CheckID ? -1 : a.CheckID > b.CheckID ? 1 : 0;
}
