/**
 * The `acl` block, with Consul's defaults, and the legacy top-level keys Consul still maps onto it
 * (`acl_datacenter` turns ACLs on; `acl_default_policy`, `acl_down_policy`, `acl_ttl`,
 * `acl_master_token`, `acl_agent_master_token`, `acl_agent_token`, `acl_token`,
 * `acl_replication_token`, and inside the block `tokens.master` and `tokens.agent_master`).
 */
import { ConfigError } from './config-error.js';
import { bool, dur, str } from './json-fields.js';

type Json = Record<string, unknown>;

export type AclDownPolicy = 'allow' | 'deny' | 'extend-cache' | 'async-cache';

/** The agent's configured tokens (secrets: never logged, never shown). */
export interface AclConfigTokens {
  initialManagement?: string;
  agent?: string;
  agentRecovery?: string;
  default?: string;
  replication?: string;
  configFileServiceRegistration?: string;
  dns?: string;
}

export interface AclConfig {
  enabled: boolean;
  defaultPolicy: 'allow' | 'deny';
  downPolicy: AclDownPolicy;
  tokenTtlMs: number;
  policyTtlMs: number;
  roleTtlMs: number;
  enableKeyListPolicy: boolean;
  enableTokenPersistence: boolean;
  enableTokenReplication: boolean;
  tokens: AclConfigTokens;
}

const BLOCK_KEYS = new Set([
  'enabled',
  'default_policy',
  'down_policy',
  'token_ttl',
  'policy_ttl',
  'role_ttl',
  'enable_key_list_policy',
  'enable_token_persistence',
  'enable_token_replication',
  'tokens',
  'msp_disable_bootstrap',
  'disabled_ttl',
  'enable_acl_replication',
  'replication_token',
  'master_token',
  'agent_master_token',
  'agent_token',
  'token',
]);
const TOKEN_KEYS: Record<string, keyof AclConfigTokens> = {
  initial_management: 'initialManagement',
  master: 'initialManagement',
  agent: 'agent',
  agent_recovery: 'agentRecovery',
  agent_master: 'agentRecovery',
  default: 'default',
  replication: 'replication',
  config_file_service_registration: 'configFileServiceRegistration',
  dns: 'dns',
};
const IGNORED_TOKEN_KEYS = new Set(['managed_service_provider']);
const LEGACY_TOKENS: Record<string, keyof AclConfigTokens> = {
  acl_master_token: 'initialManagement',
  acl_agent_master_token: 'agentRecovery',
  acl_agent_token: 'agent',
  acl_token: 'default',
  acl_replication_token: 'replication',
};

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function oneOf<T extends string>(v: string | undefined, allowed: readonly T[], key: string): T | undefined {
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) throw new ConfigError(`${key}: invalid value ${JSON.stringify(v)}; expected one of ${allowed.join(', ')}`);
  return v as T;
}

/** Reads the ACL settings of a merged configuration file. */
export function aclConfig(file: Json): AclConfig {
  const block = file.acl === undefined ? {} : file.acl;
  if (!isObject(block)) throw new ConfigError('acl must be an object');
  for (const k of Object.keys(block)) if (!BLOCK_KEYS.has(k)) throw new ConfigError(`acl: invalid config key ${k}`);
  const tokens: AclConfigTokens = {};
  for (const [legacy, field] of Object.entries(LEGACY_TOKENS)) {
    const v = str(file[legacy], legacy);
    if (v) tokens[field] = v;
  }
  const tokenBlock = block.tokens === undefined ? {} : block.tokens;
  if (!isObject(tokenBlock)) throw new ConfigError('acl.tokens must be an object');
  for (const [k, v] of Object.entries(tokenBlock)) {
    if (IGNORED_TOKEN_KEYS.has(k)) continue;
    const field = TOKEN_KEYS[k];
    if (!field) throw new ConfigError(`acl.tokens: invalid config key ${k}`);
    const s = str(v, `acl.tokens.${k}`);
    if (s) tokens[field] = s;
  }
  const legacyDc = str(file.acl_datacenter, 'acl_datacenter');
  const defaultPolicy = oneOf(
    str(block.default_policy, 'acl.default_policy') ?? str(file.acl_default_policy, 'acl_default_policy'),
    ['allow', 'deny'] as const,
    'acl.default_policy',
  );
  const downPolicy = oneOf(
    str(block.down_policy, 'acl.down_policy') ?? str(file.acl_down_policy, 'acl_down_policy'),
    ['allow', 'deny', 'extend-cache', 'async-cache'] as const,
    'acl.down_policy',
  );
  const tokenTtl = dur(block.token_ttl, 'acl.token_ttl') ?? dur(file.acl_ttl, 'acl_ttl');
  return {
    enabled: bool(block.enabled, 'acl.enabled') ?? (legacyDc !== undefined && legacyDc !== ''),
    defaultPolicy: defaultPolicy ?? 'allow',
    downPolicy: downPolicy ?? 'extend-cache',
    tokenTtlMs: tokenTtl ?? 30_000,
    policyTtlMs: dur(block.policy_ttl, 'acl.policy_ttl') ?? 30_000,
    roleTtlMs: dur(block.role_ttl, 'acl.role_ttl') ?? 30_000,
    enableKeyListPolicy: bool(block.enable_key_list_policy, 'acl.enable_key_list_policy') ?? false,
    enableTokenPersistence: bool(block.enable_token_persistence, 'acl.enable_token_persistence') ?? false,
    enableTokenReplication: bool(block.enable_token_replication, 'acl.enable_token_replication') ?? bool(file.enable_acl_replication, 'enable_acl_replication') ?? false,
    tokens,
  };
}
