export { StateStore, MAX_TXN_OPS } from './store.js';
export type {
  ApplyResult,
  QueryResult,
  CatalogServiceNode,
  HealthServiceEntry,
  NodeServices,
  StateSnapshot,
  AclSnapshot,
  AclTokenFilter,
} from './store.js';
export { ANONYMOUS_TOKEN_ID, ANONYMOUS_TOKEN_SECRET, GLOBAL_MANAGEMENT_POLICY_ID } from './acl.js';
export { StateError } from './errors.js';
export { topics, type TableName } from './watch-hub.js';
export type { StateErrorCode } from './errors.js';
export { KV_VERBS, encodeCommand, decodeCommand, encodesExactly } from './command-codec.js';
export { snapshotFromBytes } from './snapshot-bytes.js';
export { isHealthStatus } from './catalog.js';
export { isTxnWrite, normalizeTxnOp } from './txn.js';
export type * from './types.js';
export { TEMPLATE_TYPE_NAME_PREFIX_MATCH } from './query-template.js';
export { emptyPreparedQuery, isUuid } from './prepared-queries.js';
