export { ConsulApi } from './client.js';
export type { ConsulApiOptions } from './client.js';
export { ApiError } from './errors.js';
export { addressFromEnv, baseUrlOf, readTokenFile, tokenFromEnv, DEFAULT_ADDRESS } from './address.js';
export { type ApiTlsOptions, httpsAgentFor, mergeTls, tlsFromEnv } from './tls.js';
export { parseDuration } from '@concord/goflags';
export { MAX_WAIT_MS } from './transport.js';
export { exchange, type ExchangeInit, type Exchanged } from './http-exchange.js';
export type { KV, KVDeleteOptions, KVKeysOptions, KVPutOptions } from './kv.js';
export type { Session } from './session.js';
export type { Catalog, CatalogServiceOptions } from './catalog.js';
export type { Health, HealthServiceOptions } from './health.js';
export type { Agent, ForceLeaveOptions, MembersOptions, ServiceRegisterOptions } from './agent.js';
export type { Status } from './status.js';
export type { Event, FireParams, UserEvent } from './event.js';
export type { Coordinate } from './coordinate.js';
export type { Operator, RaftPeerSelector } from './operator.js';
export type { QueryMeta, QueryOptions, QueryResult, RequestOptions, WriteOptions } from './options.js';
export type * from './types.js';
export {
  abortableSleep,
  parseWatchParams,
  runHttpHandler,
  runScriptHandler,
  WATCH_TYPES,
  WatchError,
  WatchPlan,
  type HttpHandlerConfig,
  type WatchHandler,
  type WatchParams,
  type WatchPlanOptions,
  type WatchType,
} from './watch.js';
