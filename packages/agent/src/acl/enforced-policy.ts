import type { AgentConfig } from '../config/config.js';

/** The values `X-Consul-Default-ACL-Policy` takes. */
export type AclDefaultPolicy = 'allow' | 'deny';

/**
 * The default ACL policy this agent enforces: the one place `X-Consul-Default-ACL-Policy` (on
 * every HTTP response, the KV fast path included) takes its value from. With ACLs off every
 * request is allowed whatever `default_policy` says, so the header reports what is enforced,
 * not what was asked for.
 */
export function enforcedAclDefaultPolicy(config: AgentConfig): AclDefaultPolicy {
  return config.acl.enabled ? config.acl.defaultPolicy : 'allow';
}
