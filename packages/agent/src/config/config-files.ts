/**
 * Consul's config files: `-config-file` and `-config-dir` (JSON and HCL), each checked for keys
 * this agent does not know, merged in order as Consul merges them.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './config-error.js';
import { readHclFile } from './hcl.js';
import { type Json, asArray, isObject } from './json-fields.js';
import { LEGACY_ACL_KEYS } from './security-config.js';
import { LEGACY_TLS_KEYS } from './tls-settings.js';

/** Config-file keys this agent understands; others that Consul knows are accepted and ignored. */
const KNOWN_KEYS = new Set([
  'datacenter',
  'primary_datacenter',
  'data_dir',
  'node_name',
  'node_id',
  'server',
  'bootstrap',
  'bootstrap_expect',
  'bind_addr',
  'advertise_addr',
  'client_addr',
  'addresses',
  'ports',
  'retry_join',
  'start_join',
  'log_level',
  'log_json',
  'recursors',
  'dns_config',
  'domain',
  'alt_domain',
  'node_meta',
  'enable_local_script_checks',
  'enable_script_checks',
  'services',
  'service',
  'checks',
  'check',
  'limits',
  'session_ttl_min',
  'default_query_time',
  'max_query_time',
  'http_config',
  'pid_file',
  'encrypt',
  'ui',
  'ui_dir',
  'ui_config',
  'tls',
  ...LEGACY_TLS_KEYS,
  'encrypt_verify_incoming',
  'encrypt_verify_outgoing',
  'check_update_interval',
  'watches',
  'raft_snapshot_threshold',
  'raft_snapshot_interval',
  'raft_trailing_logs',
  'retry_interval',
  'retry_max',
  'sync_coordinate_interval_min',
  'sync_coordinate_rate_target',
  'leave_on_terminate',
  'skip_leave_on_interrupt',
  'autopilot',
  'performance',
  'gossip_lan',
  'telemetry',
  'gossip_wan',
  'start_join_wan',
  'retry_join_wan',
  'advertise_addr_wan',
  'translate_wan_addrs',
]);
const IGNORED_KEYS = new Set([
  'rejoin_after_leave',
  'reconnect_timeout',
  'disable_update_check',
  'acl',
  'raft_protocol',
  'discovery_max_stale',
  'log_file',
  'enable_debug',
  'server_name',
  'disable_remote_exec',
  'connect',
  'license_path',
  ...LEGACY_ACL_KEYS,
]);

/** Merges config objects as Consul does: scalars replaced, lists appended, objects merged. */
export function mergeConfig(base: Json, next: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(next)) {
    const prev = out[k];
    if (Array.isArray(prev) && Array.isArray(v)) out[k] = [...prev, ...v];
    else if (isObject(prev) && isObject(v) && k !== 'service' && k !== 'check') out[k] = mergeConfig(prev, v);
    else if ((k === 'service' || k === 'check') && prev !== undefined) out[k] = [...asArray(prev), ...asArray(v)];
    else out[k] = v;
  }
  return out;
}

function readConfigFile(path: string): Json {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`Error loading ${path}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = path.endsWith('.hcl') ? readHclFile(path) : JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`Error parsing ${path}: ${(err as Error).message.replace(/\s*\n\s*/g, ' ').trim()}`);
  }
  if (!isObject(parsed)) throw new ConfigError(`Error parsing ${path}: top level must be an object`);
  for (const key of Object.keys(parsed)) {
    if (!KNOWN_KEYS.has(key) && !IGNORED_KEYS.has(key)) {
      throw new ConfigError(`Error parsing ${path}: invalid config key ${key}`);
    }
  }
  return parsed;
}

/** Loads and merges `-config-file` and `-config-dir` (JSON and HCL files, alphabetical, no recursion). */
export function loadConfigFiles(files: readonly string[], dirs: readonly string[]): Json {
  let merged: Json = {};
  const paths: string[] = [];
  for (const f of files) paths.push(f);
  for (const d of dirs) {
    let entries: string[];
    try {
      entries = readdirSync(d).sort();
    } catch (err) {
      throw new ConfigError(`Error loading ${d}: ${(err as Error).message}`);
    }
    for (const e of entries) {
      const p = join(d, e);
      if ((e.endsWith('.json') || e.endsWith('.hcl')) && statSync(p).isFile()) paths.push(p);
    }
  }
  for (const p of paths) merged = mergeConfig(merged, readConfigFile(p));
  return merged;
}
