/**
 * The `dns_config` block: defaults, validation of the JSON form (snake_case keys, Go duration
 * strings) and the per-service TTL lookup.
 */
import { parseGoDuration } from '@concord/goflags';

export type RecursorStrategy = 'sequential' | 'random';

export interface SoaConfig {
  refresh: number;
  retry: number;
  expire: number;
  minTtl: number;
}

export interface DnsConfig {
  allowStale: boolean;
  /** Milliseconds. */
  maxStale: number;
  /** Seconds. */
  nodeTtl: number;
  /** Service name or prefix pattern ending in `*` → seconds. */
  serviceTtl: Record<string, number>;
  enableTruncate: boolean;
  onlyPassing: boolean;
  udpAnswerLimit: number;
  aRecordLimit: number;
  /** Milliseconds. */
  recursorTimeout: number;
  recursorStrategy: RecursorStrategy;
  disableCompression: boolean;
  enableAdditionalNodeMetaTxt: boolean;
  soa: SoaConfig;
  useCache: boolean;
  /** Milliseconds. */
  cacheMaxAge: number;
}

export function defaultDnsConfig(): DnsConfig {
  return {
    allowStale: true,
    maxStale: 87600 * 3600 * 1000,
    nodeTtl: 0,
    serviceTtl: {},
    enableTruncate: false,
    onlyPassing: false,
    udpAnswerLimit: 3,
    aRecordLimit: 0,
    recursorTimeout: 2000,
    recursorStrategy: 'sequential',
    disableCompression: false,
    enableAdditionalNodeMetaTxt: true,
    soa: { refresh: 3600, retry: 600, expire: 86400, minTtl: 0 },
    useCache: false,
    cacheMaxAge: 0,
  };
}

type Field = (value: unknown, key: string, out: DnsConfig) => void;

const bool =
  (set: (out: DnsConfig, v: boolean) => void): Field =>
  (value, key, out) => {
    if (typeof value !== 'boolean') throw new Error(`dns_config.${key} must be a boolean, got ${JSON.stringify(value)}`);
    set(out, value);
  };

const count =
  (set: (out: DnsConfig, v: number) => void): Field =>
  (value, key, out) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw new Error(`dns_config.${key} must be a non-negative integer, got ${JSON.stringify(value)}`);
    }
    set(out, value);
  };

function durationMs(value: unknown, key: string): number {
  if (typeof value !== 'string') throw new Error(`dns_config.${key} must be a duration string such as "30s", got ${JSON.stringify(value)}`);
  try {
    const ms = parseGoDuration(value);
    if (ms < 0) throw new RangeError('negative');
    return ms;
  } catch {
    throw new Error(`dns_config.${key}: invalid duration ${JSON.stringify(value)}`);
  }
}

const duration =
  (set: (out: DnsConfig, ms: number) => void): Field =>
  (value, key, out) =>
    set(out, durationMs(value, key));

const seconds = (ms: number) => Math.floor(ms / 1000);

const FIELDS: Record<string, Field> = {
  allow_stale: bool((o, v) => (o.allowStale = v)),
  max_stale: duration((o, v) => (o.maxStale = v)),
  node_ttl: duration((o, v) => (o.nodeTtl = seconds(v))),
  service_ttl: (value, key, out) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new Error(`dns_config.${key} must be an object of service name to duration`);
    }
    const ttl: Record<string, number> = {};
    for (const [name, d] of Object.entries(value)) ttl[name] = seconds(durationMs(d, `${key}.${name}`));
    out.serviceTtl = ttl;
  },
  enable_truncate: bool((o, v) => (o.enableTruncate = v)),
  only_passing: bool((o, v) => (o.onlyPassing = v)),
  udp_answer_limit: count((o, v) => (o.udpAnswerLimit = v)),
  a_record_limit: count((o, v) => (o.aRecordLimit = v)),
  recursor_timeout: duration((o, v) => (o.recursorTimeout = v)),
  recursor_strategy: (value, key, out) => {
    if (value !== 'sequential' && value !== 'random') {
      throw new Error(`dns_config.${key} must be "sequential" or "random", got ${JSON.stringify(value)}`);
    }
    out.recursorStrategy = value;
  },
  disable_compression: bool((o, v) => (o.disableCompression = v)),
  enable_additional_node_meta_txt: bool((o, v) => (o.enableAdditionalNodeMetaTxt = v)),
  soa: (value, key, out) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`dns_config.${key} must be an object`);
    const names: Record<string, keyof SoaConfig> = { refresh: 'refresh', retry: 'retry', expire: 'expire', min_ttl: 'minTtl' };
    for (const [k, v] of Object.entries(value)) {
      const field = names[k];
      if (!field) throw new Error(`dns_config.soa: unknown key ${JSON.stringify(k)}`);
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
        throw new Error(`dns_config.soa.${k} must be a non-negative integer, got ${JSON.stringify(v)}`);
      }
      out.soa[field] = v;
    }
  },
  use_cache: bool((o, v) => (o.useCache = v)),
  cache_max_age: duration((o, v) => (o.cacheMaxAge = v)),
};

/** Validates a JSON `dns_config` block and returns the full config (defaults filled in). */
export function parseDnsConfig(raw: unknown): DnsConfig {
  const out = defaultDnsConfig();
  if (raw === undefined || raw === null) return out;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new Error('dns_config must be an object');
  for (const [key, value] of Object.entries(raw)) {
    const field = FIELDS[key];
    if (!field) throw new Error(`dns_config: unknown key ${JSON.stringify(key)}`);
    field(value, key, out);
  }
  return out;
}

/** TTL in seconds for a service: an exact name beats the longest matching `prefix*` pattern. */
export function serviceTtl(config: Pick<DnsConfig, 'serviceTtl'>, service: string): number {
  const table = config.serviceTtl;
  const exact = table[service];
  if (exact !== undefined) return exact;
  let best = -1;
  let ttl = 0;
  for (const [pattern, value] of Object.entries(table)) {
    if (!pattern.endsWith('*')) continue;
    const prefix = pattern.slice(0, -1);
    if (prefix.length > best && service.startsWith(prefix)) {
      best = prefix.length;
      ttl = value;
    }
  }
  return ttl;
}
