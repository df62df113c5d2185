/**
 * Security settings of the agent configuration: gossip encryption rollout flags, and refusing
 * ACL settings that ask for a protection this agent does not give yet (fail closed).
 */
import { ConfigError } from './config-error.js';

type Json = Record<string, unknown>;

/** Consul's pre-1.4 ACL keys (each accepted only where it asks for no protection). */
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
] as const;

const LEGACY_TOKEN_KEYS = ['acl_master_token', 'acl_agent_master_token', 'acl_agent_token', 'acl_token', 'acl_replication_token'];

export interface SecurityConfig {
  /** `encrypt_verify_incoming`: with a gossip key, refuse plaintext gossip. Default true. */
  encryptVerifyIncoming: boolean;
  /** `encrypt_verify_outgoing`: with a gossip key, encrypt outgoing gossip. Default true. */
  encryptVerifyOutgoing: boolean;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function flag(v: unknown, key: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new ConfigError(`${key} must be a boolean`);
  return v;
}

/** Why the merged configuration asks for ACL enforcement, or undefined when it does not. */
function aclRequest(file: Json): string | undefined {
  if (isObject(file.acl) && file.acl.enabled === true) return 'acl { enabled = true }';
  if (typeof file.acl_datacenter === 'string' && file.acl_datacenter !== '') return 'acl_datacenter';
  if (file.acl_default_policy === 'deny') return 'acl_default_policy = "deny"';
  for (const k of LEGACY_TOKEN_KEYS) if (typeof file[k] === 'string' && file[k] !== '') return k;
  return undefined;
}

/**
 * Reads the security settings; throws when ACLs are asked for, since running without the
 * protection the operator configured would fail open.
 */
export function securityConfig(file: Json): SecurityConfig {
  const acl = aclRequest(file);
  if (acl !== undefined) {
    throw new ConfigError(
      `ACLs are not supported yet: the configuration enables them (${acl}), and running without enforcing them would leave the cluster open. Remove the ACL settings to run without ACLs; see SECURITY.md`,
    );
  }
  return {
    encryptVerifyIncoming: flag(file.encrypt_verify_incoming, 'encrypt_verify_incoming') ?? true,
    encryptVerifyOutgoing: flag(file.encrypt_verify_outgoing, 'encrypt_verify_outgoing') ?? true,
  };
}
