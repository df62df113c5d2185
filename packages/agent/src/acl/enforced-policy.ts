import type { AgentConfig } from '../config/config.js';

/** The values `X-Consul-Default-ACL-Policy` takes. */
export type AclDefaultPolicy = 'allow' | 'deny';

/**
 * The default ACL policy this agent enforces: the one place `X-Consul-Default-ACL-Policy` (on
 * every HTTP response, the KV fast path included) takes its value from. Concord checks no ACL
 * tokens yet, so every request is allowed whatever an `acl` config block says; the header
 * reports what is enforced, not what was asked for. ACL enforcement changes this function.
 */
export function enforcedAclDefaultPolicy(_config: AgentConfig): AclDefaultPolicy {
  return 'allow';
}
