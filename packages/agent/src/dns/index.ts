export { startDnsServer } from './server.js';
export type { DnsServer, DnsServerConfig, DnsServerOptions } from './server.js';
export { defaultDnsConfig, parseDnsConfig } from './config.js';
export type { DnsConfig, RecursorStrategy, SoaConfig } from './config.js';
export { UnknownDatacenterError, stateCatalog } from './catalog.js';
export type { DnsCatalog, RemoteDnsCatalogs, DnsNode, DnsServiceInstance, MaybePromise } from './catalog.js';
export type { DnsLogger } from './query-handler.js';
