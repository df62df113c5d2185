/**
 * The ACL built-ins the leader stores once ACLs are on: the `global-management` policy, the
 * anonymous token and, when configured, the `initial_management` token (a management token with
 * the configured secret). Checked every second on the leader; written only when missing.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { AclPolicy, AclToken, Command, StateStore } from '@concord/state';
import { ANONYMOUS_TOKEN_ID, ANONYMOUS_TOKEN_SECRET, GLOBAL_MANAGEMENT_POLICY_ID } from '@concord/state';

export const GLOBAL_MANAGEMENT_RULES = `acl = "write"
agent_prefix "" {
  policy = "write"
}
event_prefix "" {
  policy = "write"
}
key_prefix "" {
  policy = "write"
}
keyring = "write"
node_prefix "" {
  policy = "write"
}
operator = "write"
mesh = "write"
peering = "write"
query_prefix "" {
  policy = "write"
}
service_prefix "" {
  policy = "write"
  intentions = "write"
}
session_prefix "" {
  policy = "write"
}`;

const hash = (s: string) => createHash('sha256').update(s).digest('base64');

function token(accessor: string, secret: string, description: string, policies: string[], now: number): AclToken {
  return {
    AccessorID: accessor,
    SecretID: secret,
    Description: description,
    Policies: policies.map((ID) => ({ ID, Name: '' })),
    Roles: [],
    Local: false,
    CreateTime: new Date(now).toISOString(),
    Hash: hash(`${description}${policies.join(',')}`),
    CreateIndex: 0,
    ModifyIndex: 0,
  };
}

/** The acl-init command for what is missing from the state, or undefined when nothing is. */
export function missingBuiltins(state: StateStore, initialManagement: string | undefined, now: number): Command | undefined {
  const policies: AclPolicy[] = [];
  const tokens: AclToken[] = [];
  if (!state.aclPolicy(GLOBAL_MANAGEMENT_POLICY_ID).value) {
    policies.push({
      ID: GLOBAL_MANAGEMENT_POLICY_ID,
      Name: 'global-management',
      Description: 'Builtin Policy that grants unlimited access',
      Rules: GLOBAL_MANAGEMENT_RULES,
      Datacenters: [],
      Hash: hash(GLOBAL_MANAGEMENT_RULES),
      CreateIndex: 0,
      ModifyIndex: 0,
    });
  }
  if (!state.aclToken(ANONYMOUS_TOKEN_ID).value) tokens.push(token(ANONYMOUS_TOKEN_ID, ANONYMOUS_TOKEN_SECRET, 'Anonymous Token', [], now));
  if (policies.length > 0 || tokens.length > 0) return { type: 'acl-init', policies, tokens };
  if (initialManagement && !state.aclTokenBySecret(initialManagement).value) {
    const t = token(randomUUID(), initialManagement, 'Initial Management Token', [GLOBAL_MANAGEMENT_POLICY_ID], now);
    // As in Consul, the configured management token is the bootstrap when none happened yet.
    return state.aclBootstrapIndex() === undefined ? { type: 'acl-bootstrap', token: t } : { type: 'acl-init', policies: [], tokens: [t] };
  }
  return undefined;
}

/** Runs on a server: while leader, stores missing built-ins. Returns a stop function. */
export function startAclBuiltins(o: {
  state: () => StateStore;
  isLeader: () => boolean;
  initialManagement: string | undefined;
  write: (c: Command) => Promise<unknown>;
  onError: (err: unknown) => void;
}): () => void {
  let busy = false;
  const tick = () => {
    if (busy || !o.isLeader()) return;
    const cmd = missingBuiltins(o.state(), o.initialManagement, Date.now());
    if (!cmd) return;
    busy = true;
    o.write(cmd)
      .catch(o.onError)
      .finally(() => {
        busy = false;
      });
  };
  const timer = setInterval(tick, 250);
  timer.unref();
  tick();
  return () => clearInterval(timer);
}
