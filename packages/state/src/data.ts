import { SortedEntries, SortedKeys } from './sorted-keys.js';
import type { AclPolicy, AclRole, AclToken, AutopilotConfigEntry, CheckEntry, KvEntry, NetworkCoordinate, NodeEntry, PreparedQuery, ServiceEntry, SessionEntry } from './types.js';
import { type TableName, topics } from './watch-hub.js';

/** All tables of the state. Only the mutation modules write to it, through an ApplyContext. */
export interface StateData {
  datacenter: string;
  kv: Map<string, KvEntry>;
  /** The entries of `kv` in key order (prefix scans; a copy of its chunks is a snapshot of the table). */
  kvKeys: SortedEntries;
  /** Deleted key → index of the delete. Keeps prefix indexes from going backwards. */
  tombstones: Map<string, number>;
  tombstoneKeys: SortedKeys;
  /** Session ID → keys it holds locked. */
  sessionKeys: Map<string, Set<string>>;
  /** Key → wall-clock ms until which `acquire` is refused (lock-delay after invalidation). */
  lockDelays: Map<string, number>;
  sessions: Map<string, SessionEntry>;
  nodes: Map<string, NodeEntry>;
  /** node → serviceID → service */
  services: Map<string, Map<string, ServiceEntry>>;
  /** node → checkID → check */
  checks: Map<string, Map<string, CheckEntry>>;
  /** service name → set of `node\u0000serviceID` */
  serviceInstances: Map<string, Set<string>>;
  /** service name → last index that changed an instance of it (or its checks, or its node). */
  serviceIndexes: Map<string, number>;
  tableIndexes: Map<TableName, number>;
  /** node → segment → coordinate */
  coordinates: Map<string, Map<string, NetworkCoordinate>>;
  /** prepared query ID → query */
  queries: Map<string, PreparedQuery>;
  /** Autopilot's settings, once the leader or an operator stored them. */
  autopilot: AutopilotConfigEntry | undefined;
  /** ACL token accessor ID → token */
  aclTokens: Map<string, AclToken>;
  /** ACL token secret → accessor ID */
  aclSecrets: Map<string, string>;
  aclPolicies: Map<string, AclPolicy>;
  aclRoles: Map<string, AclRole>;
  /** The index the ACL system was bootstrapped at (the reset index), once it was. */
  aclBootstrapIndex: number | undefined;
}

export function emptyData(datacenter: string): StateData {
  return {
    datacenter,
    kv: new Map(),
    kvKeys: new SortedEntries(),
    tombstones: new Map(),
    tombstoneKeys: new SortedKeys(),
    sessionKeys: new Map(),
    lockDelays: new Map(),
    sessions: new Map(),
    nodes: new Map(),
    services: new Map(),
    checks: new Map(),
    serviceInstances: new Map(),
    serviceIndexes: new Map(),
    tableIndexes: new Map(),
    coordinates: new Map(),
    queries: new Map(),
    autopilot: undefined,
    aclTokens: new Map(),
    aclSecrets: new Map(),
    aclPolicies: new Map(),
    aclRoles: new Map(),
    aclBootstrapIndex: undefined,
  };
}

/** Each table's watch topic, built once (a write touches its table's topic every time). */
const TABLE_TOPICS: Readonly<Record<TableName, string>> = {
  kvs: topics.table('kvs'),
  sessions: topics.table('sessions'),
  nodes: topics.table('nodes'),
  services: topics.table('services'),
  checks: topics.table('checks'),
  coordinates: topics.table('coordinates'),
  'prepared-queries': topics.table('prepared-queries'),
  'acl-tokens': topics.table('acl-tokens'),
  'acl-policies': topics.table('acl-policies'),
  'acl-roles': topics.table('acl-roles'),
};

/**
 * The context of one `apply`: the raft index, the proposer's clock, the topics touched (for
 * watches) and an undo journal so a failed transaction leaves no trace.
 */
export class ApplyContext {
  readonly touched = new Set<string>();
  readonly #undo: (() => void)[] = [];
  #journaling = false;

  constructor(
    readonly data: StateData,
    readonly index: number,
    readonly time: number,
  ) {}

  touch(topic: string): void {
    this.touched.add(topic);
  }

  bumpTable(table: TableName): void {
    const tableIndexes = this.data.tableIndexes;
    if (this.#journaling) {
      const prev = tableIndexes.get(table);
      this.#undo.push(() => {
        if (prev === undefined) tableIndexes.delete(table);
        else tableIndexes.set(table, prev);
      });
    }
    tableIndexes.set(table, this.index);
    this.touch(TABLE_TOPICS[table]);
  }

  bumpService(name: string): void {
    const prev = this.data.serviceIndexes.get(name);
    this.record(() => {
      if (prev === undefined) this.data.serviceIndexes.delete(name);
      else this.data.serviceIndexes.set(name, prev);
    });
    this.data.serviceIndexes.set(name, this.index);
    this.touch(topics.service(name));
  }

  /** Start journaling undo actions (transactions). */
  beginJournal(): void {
    this.#journaling = true;
  }

  record(undo: () => void): void {
    if (this.#journaling) this.#undo.push(undo);
  }

  // Table primitives: catalog and session writes go through these so a transaction that
  // mixes them with KV operations rolls back as one.

  /** `map.set(key, value)`, journaled. */
  mapSet<K, V>(map: Map<K, V>, key: K, value: V): void {
    if (this.#journaling) {
      const had = map.has(key);
      const prev = map.get(key);
      this.#undo.push(() => (had ? map.set(key, prev as V) : map.delete(key)));
    }
    map.set(key, value);
  }

  /** `map.delete(key)`, journaled. */
  mapDelete<K, V>(map: Map<K, V>, key: K): boolean {
    if (!map.has(key)) return false;
    if (this.#journaling) {
      const prev = map.get(key) as V;
      this.#undo.push(() => map.set(key, prev));
    }
    return map.delete(key);
  }

  /** `set.add(value)`, journaled. */
  setAdd<T>(set: Set<T>, value: T): void {
    if (set.has(value)) return;
    if (this.#journaling) this.#undo.push(() => set.delete(value));
    set.add(value);
  }

  /** `set.delete(value)`, journaled. */
  setDelete<T>(set: Set<T>, value: T): void {
    if (!set.delete(value)) return;
    if (this.#journaling) this.#undo.push(() => set.add(value));
  }

  rollback(): void {
    for (let i = this.#undo.length - 1; i >= 0; i--) (this.#undo[i] as () => void)();
    this.#undo.length = 0;
    this.touched.clear();
  }

  // KV primitives: every KV write goes through these so transactions can roll back.

  /**
   * Stores `entry`. `prev` is the entry it replaces when the caller has just read it (saving a
   * lookup in a table that may hold millions of keys); undefined looks it up.
   */
  kvSet(entry: KvEntry, prev: KvEntry | null | undefined = undefined): void {
    const { kv, kvKeys, tombstones, tombstoneKeys } = this.data;
    if (prev === undefined) prev = kv.get(entry.Key) ?? null;
    const prevTomb = tombstones.size === 0 ? undefined : tombstones.get(entry.Key);
    if (this.#journaling) {
      const before = prev;
      this.#undo.push(() => {
        if (before) {
          kv.set(entry.Key, before);
          kvKeys.add(before);
        } else {
          kv.delete(entry.Key);
          kvKeys.delete(entry.Key);
        }
        if (prevTomb !== undefined) {
          tombstones.set(entry.Key, prevTomb);
          tombstoneKeys.add(entry.Key);
        }
      });
    }
    kvKeys.add(entry);
    kv.set(entry.Key, entry);
    this.#trackLock(entry.Key, prev?.Session, entry.Session);
    if (prevTomb !== undefined) {
      tombstones.delete(entry.Key);
      tombstoneKeys.delete(entry.Key);
    }
    this.bumpTable('kvs');
    this.touch(topics.kvKey(entry.Key));
  }

  #trackLock(key: string, before: string | undefined, after: string | undefined): void {
    if (before === after) return;
    const { sessionKeys } = this.data;
    const move = (from: string | undefined, to: string | undefined) => {
      if (from) {
        const set = sessionKeys.get(from);
        set?.delete(key);
        if (set?.size === 0) sessionKeys.delete(from);
      }
      if (to) {
        let set = sessionKeys.get(to);
        if (!set) {
          set = new Set();
          sessionKeys.set(to, set);
        }
        set.add(key);
      }
    };
    move(before, after);
    if (this.#journaling) this.#undo.push(() => move(after, before));
  }

  kvDelete(key: string): boolean {
    const { kv, kvKeys, tombstones, tombstoneKeys } = this.data;
    const prev = kv.get(key);
    if (!prev) return false;
    const prevTomb = tombstones.get(key);
    if (this.#journaling) {
      this.#undo.push(() => {
        kv.set(key, prev);
        kvKeys.add(prev);
        if (prevTomb === undefined) {
          tombstones.delete(key);
          tombstoneKeys.delete(key);
        } else tombstones.set(key, prevTomb);
      });
    }
    kv.delete(key);
    kvKeys.delete(key);
    this.#trackLock(key, prev.Session, undefined);
    tombstones.set(key, this.index);
    tombstoneKeys.add(key);
    this.bumpTable('kvs');
    this.touch(topics.kvKey(key));
    return true;
  }
}
