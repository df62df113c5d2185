/**
 * The `acl` block and `primary_datacenter`, with Consul's defaults, and the deprecated keys Consul
 * still maps onto them (its agent/config/deprecated.go): each alias applies only where the new key
 * is unset, except that `acl_datacenter` always turns ACLs on and `acl_replication_token` always
 * turns token replication on. `acl_datacenter` → `primary_datacenter`; `acl_default_policy`,
 * `acl_down_policy`, `acl_ttl`, `acl_enable_key_list_policy`, `enable_acl_replication` → their
 * `acl.*` keys; `acl_master_token` and `tokens.master` → `tokens.initial_management`;
 * `acl_agent_master_token` and `tokens.agent_master` → `tokens.agent_recovery`; `acl_agent_token`,
 * `acl_token`, `acl_replication_token` → `tokens.agent`, `tokens.default`, `tokens.replication`.
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
  /** `primary_datacenter` (lower case): where ACLs are authoritative; the agent's own datacenter by default. */
  primaryDatacenter: string;
  defaultPolicy: 'allow' | 'deny';
  downPolicy: AclDownPolicy;
  tokenTtlMs: number;
  policyTtlMs: number;
  roleTtlMs: number;
  enableKeyListPolicy: boolean;
  enableTokenPersistence: boolean;
  /** `acl.enable_token_replication`: a secondary's leader replicates global tokens too (and local tokens may be made there). */
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
/** The deprecated names first: a canonical key given too wins over them. */
const TOKEN_KEYS: Record<string, keyof AclConfigTokens> = {
  master: 'initialManagement',
  agent_master: 'agentRecovery',
  initial_management: 'initialManagement',
  agent: 'agent',
  agent_recovery: 'agentRecovery',
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
export function aclConfig(file: Json, datacenter: string): AclConfig {
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
  for (const k of Object.keys(tokenBlock)) {
    if (!IGNORED_TOKEN_KEYS.has(k) && !TOKEN_KEYS[k]) throw new ConfigError(`acl.tokens: invalid config key ${k}`);
  }
  for (const [k, field] of Object.entries(TOKEN_KEYS)) {
    const s = str(tokenBlock[k], `acl.tokens.${k}`);
    if (s) tokens[field] = s;
  }
  const legacyDc = str(file.acl_datacenter, 'acl_datacenter');
  const primaryDatacenter = (str(file.primary_datacenter, 'primary_datacenter') || legacyDc || datacenter).toLowerCase();
  if (!/^[a-z0-9_-]+$/.test(primaryDatacenter)) throw new ConfigError('primary_datacenter can only contain lowercase alphanumeric, - or _ characters.');
  const replicationFromLegacyToken = file.acl_replication_token !== undefined && file.acl_replication_token !== null;
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
    // As Consul: acl_datacenter turns ACLs on whatever acl.enabled says.
    enabled: legacyDc !== undefined ? true : (bool(block.enabled, 'acl.enabled') ?? false),
    primaryDatacenter,
    defaultPolicy: defaultPolicy ?? 'allow',
    downPolicy: downPolicy ?? 'extend-cache',
    tokenTtlMs: tokenTtl ?? 30_000,
    policyTtlMs: dur(block.policy_ttl, 'acl.policy_ttl') ?? 30_000,
    roleTtlMs: dur(block.role_ttl, 'acl.role_ttl') ?? 30_000,
    enableKeyListPolicy: bool(block.enable_key_list_policy, 'acl.enable_key_list_policy') ?? bool(file.acl_enable_key_list_policy, 'acl_enable_key_list_policy') ?? false,
    enableTokenPersistence: bool(block.enable_token_persistence, 'acl.enable_token_persistence') ?? false,
    // As Consul: acl_replication_token turns token replication on whatever acl.enable_token_replication says.
    enableTokenReplication: replicationFromLegacyToken
      ? true
      : (bool(block.enable_token_replication, 'acl.enable_token_replication') ?? bool(file.enable_acl_replication, 'enable_acl_replication') ?? false),
    tokens,
  };
}
