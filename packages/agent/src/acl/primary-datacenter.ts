/**
 * The primary datacenter is where ACLs are authoritative (Consul's acl_endpoint.go): from a
 * secondary, policy, role and global token writes and the bootstrap are answered by the primary,
 * local tokens (`Local: true`) stay in their own datacenter, and token reads go to the primary
 * while this datacenter keeps no tokens of its own (token replication off).
 */
import type { Command } from '@concord/state';
import type { AgentContext, ServerContext } from '../agent-context.js';
import { operationFailed } from '../errors/agent-error.js';
import type { AclQuery } from './acl-query.js';

export const LOCAL_TOKENS_DISABLED = 'Local tokens are disabled';

/** True in the primary datacenter (and wherever `primary_datacenter` is this datacenter, the default). */
export function inPrimaryDatacenter(agent: Pick<AgentContext, 'config'>): boolean {
  return agent.config.acl.primaryDatacenter === agent.config.datacenter;
}

/**
 * Whether tokens may live in this datacenter: always in the primary; in a secondary only with
 * token replication on and a replication token set (Consul's LocalTokensEnabled).
 */
export function localTokensEnabled(agent: Pick<AgentContext, 'config' | 'acl'>): boolean {
  if (inPrimaryDatacenter(agent)) return true;
  return agent.config.acl.enableTokenReplication && !!agent.acl.tokens.replication;
}

/** The datacenter an ACL write must be applied in, when it is not this one. */
export function aclWriteDatacenter(command: Command, agent: ServerContext): string | undefined {
  if (inPrimaryDatacenter(agent)) return undefined;
  const primary = agent.config.acl.primaryDatacenter;
  switch (command.type) {
    case 'acl-token-set':
      return command.token?.Local ? undefined : primary;
    case 'acl-token-delete':
      // A token this datacenter does not know may be a global one not replicated yet.
      return agent.server.state.aclToken(String(command.accessorId)).value?.Local ? undefined : primary;
    default:
      return primary;
  }
}

/** The datacenter an ACL read must be answered in, when it is not this one. */
export function aclReadDatacenter(q: AclQuery, agent: ServerContext): string | undefined {
  if (localTokensEnabled(agent)) return undefined;
  return q.kind === 'token' || q.kind === 'token-secret' || q.kind === 'tokens' ? agent.config.acl.primaryDatacenter : undefined;
}

/** Refuses a local token where tokens may not live (checked where the write is applied). */
export function refuseDisabledLocalTokens(command: Command, agent: ServerContext): void {
  if (command.type === 'acl-token-set' && command.token?.Local && !localTokensEnabled(agent)) throw operationFailed(LOCAL_TOKENS_DISABLED);
}
