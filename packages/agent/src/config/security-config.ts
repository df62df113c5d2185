/**
 * Security settings of the agent configuration: gossip encryption rollout flags, and the names of
 * Consul's pre-1.4 ACL keys (read by acl-config.ts).
 */
import { ConfigError } from './config-error.js';

type Json = Record<string, unknown>;

/** Consul's pre-1.4 ACL keys, mapped onto the `acl` block as Consul maps them. */
export const LEGACY_ACL_KEYS = [
  'acl_datacenter',
  'acl_default_policy',
  'acl_down_policy',
  'acl_ttl',
  'acl_enforce_version_8',
  'acl_master_token',
  'acl_agent_master_token',
  'acl_agent_token',
  'acl_token',
  'acl_replication_token',
  'enable_acl_replication',
  'acl_enable_key_list_policy',
] as const;

export interface SecurityConfig {
  /** `encrypt_verify_incoming`: with a gossip key, refuse plaintext gossip. Default true. */
  encryptVerifyIncoming: boolean;
  /** `encrypt_verify_outgoing`: with a gossip key, encrypt outgoing gossip. Default true. */
  encryptVerifyOutgoing: boolean;
}

function flag(v: unknown, key: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new ConfigError(`${key} must be a boolean`);
  return v;
}

/** Reads the gossip encryption rollout flags. */
export function securityConfig(file: Json): SecurityConfig {
  return {
    encryptVerifyIncoming: flag(file.encrypt_verify_incoming, 'encrypt_verify_incoming') ?? true,
    encryptVerifyOutgoing: flag(file.encrypt_verify_outgoing, 'encrypt_verify_outgoing') ?? true,
  };
}
